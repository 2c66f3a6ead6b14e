#!/usr/bin/python3
"""A small FastAPI service described by its own OpenAPI 3 document, for
test_openapi_live (started by servers.py --fastapi, run with uvicorn).

    /usr/bin/python3 tests/integration/fastapi_app.py --port PORT

Needs python3-fastapi, python3-uvicorn and python3-yaml. The API key is
read from $COREAPI_TEST_FASTAPI_KEY (servers.py makes a random one).

Descriptions: GET /openapi.json (FastAPI's, application/json) and
GET /openapi.yaml (the same as YAML, application/yaml).

Items, tag "items", every operation needs the header `X-API-Key: <key>`
(security scheme APIKeyHeader): without it 403 {"detail": "Not
authenticated"} (FastAPI's), with a wrong one 401 {"detail": "Invalid API
key"}. An item is {"id", "title", "price", "tags", "note", "trace"}; in
memory, seeded with ids 1-3 (Hammer, Screwdriver, Teapot), new ids from 4.

| operationId | request | parameters |
| --- | --- | --- |
| list_items | GET /items/ | q (query: title contains, case-insensitive), tag (query), limit (query, integer, default 100) |
| create_item | POST /items/ (201) | JSON body {title (required), price (required, number), tags (array of strings), note}; header X-Trace-Id (optional, stored as "trace") |
| read_item | GET /items/{item_id} | item_id (path, integer); 404 {"detail": "Item not found"} |
| update_item | PUT /items/{item_id} | item_id + the body of create_item |
| delete_item | DELETE /items/{item_id} (204) | item_id |

Echo, tag "echo", no key needed: echo GET /echo/{word} with times (query,
integer), the required header X-Trace-Id and the optional cookie flavour;
answers {"word": word repeated times, "trace", "flavour", "api_key_sent":
whether an X-API-Key header came, "cookies": the cookie names}.
"""
import argparse
import copy
import os
import threading
from typing import List, Optional

import uvicorn
import yaml
from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

API_KEY = os.environ.get('COREAPI_TEST_FASTAPI_KEY') or 'fastapi-test-key'

SEED = [
    {'title': 'Hammer', 'price': 9.5, 'tags': ['tools'], 'note': None},
    {'title': 'Screwdriver', 'price': 4.25, 'tags': ['tools'], 'note': 'flat'},
    {'title': 'Teapot', 'price': 18.0, 'tags': ['kitchen'], 'note': None},
]


class ItemIn(BaseModel):
    title: str = Field(..., description='What the item is called.')
    price: float = Field(..., description='In euros.')
    tags: List[str] = Field(default_factory=list)
    note: Optional[str] = None


class Item(ItemIn):
    id: int
    trace: Optional[str] = None


app = FastAPI(title='FastAPI items', version='1.0.0',
              description='In-memory items behind an API key (libcoreapi tests).',
              # operationId: the function's name (list_items, ...).
              generate_unique_id_function=lambda route: route.name)

lock = threading.Lock()
items = {}
next_id = [1]


def _store(data, trace=None, item_id=None):
    with lock:
        if item_id is None:
            item_id = next_id[0]
            next_id[0] += 1
        items[item_id] = dict(data, id=item_id, trace=trace)
        return copy.deepcopy(items[item_id])


for _seed in SEED:
    _store(_seed)

api_key_header = APIKeyHeader(name='X-API-Key', description='The key servers.py made.')


def require_key(key: str = Depends(api_key_header)):
    """Missing: APIKeyHeader's own 403; wrong: 401."""
    if key != API_KEY:
        raise HTTPException(status_code=401, detail='Invalid API key')


def _get(item_id):
    with lock:
        if item_id not in items:
            raise HTTPException(status_code=404, detail='Item not found')
        return copy.deepcopy(items[item_id])


@app.get('/items/', response_model=List[Item], tags=['items'],
         dependencies=[Depends(require_key)], summary='List the items')
def list_items(q: Optional[str] = Query(None, description='Title contains this.'),
               tag: Optional[str] = None, limit: int = Query(100, ge=1)):
    with lock:
        found = [copy.deepcopy(v) for _, v in sorted(items.items())]
    if q:
        found = [i for i in found if q.lower() in i['title'].lower()]
    if tag:
        found = [i for i in found if tag in i['tags']]
    return found[:limit]


@app.post('/items/', response_model=Item, status_code=201, tags=['items'],
          dependencies=[Depends(require_key)], summary='Add an item')
def create_item(item: ItemIn, x_trace_id: Optional[str] = Header(None)):
    return _store(item.dict(), trace=x_trace_id)


@app.get('/items/{item_id}', response_model=Item, tags=['items'],
         dependencies=[Depends(require_key)], summary='One item')
def read_item(item_id: int):
    return _get(item_id)


@app.put('/items/{item_id}', response_model=Item, tags=['items'],
         dependencies=[Depends(require_key)], summary='Replace an item')
def update_item(item_id: int, item: ItemIn, x_trace_id: Optional[str] = Header(None)):
    _get(item_id)
    return _store(item.dict(), trace=x_trace_id, item_id=item_id)


@app.delete('/items/{item_id}', status_code=204, response_class=Response, tags=['items'],
            dependencies=[Depends(require_key)], summary='Remove an item')
def delete_item(item_id: int):
    _get(item_id)
    with lock:
        items.pop(item_id, None)
    return Response(status_code=204)


@app.get('/echo/{word}', tags=['echo'], summary='What arrived')
def echo(request: Request, word: str, times: int = 1,
         x_trace_id: str = Header(..., description='Echoed back as "trace".'),
         flavour: Optional[str] = Cookie(None)):
    return {'word': word * times, 'trace': x_trace_id, 'flavour': flavour,
            'api_key_sent': 'x-api-key' in request.headers,
            'cookies': sorted(request.cookies)}


@app.get('/openapi.yaml', include_in_schema=False)
def openapi_yaml():
    text = yaml.safe_dump(app.openapi(), sort_keys=False, allow_unicode=True)
    return Response(content=text, media_type='application/yaml')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level='warning', access_log=False)


if __name__ == '__main__':
    main()
