#!/usr/bin/python3
"""The input of bench/openapi: a generated OpenAPI 3.0 description.

Run with Debian's Python (/usr/bin/python3), which has python3-yaml:

    /usr/bin/python3 bench/gen_openapi.py [--operations N] [--seed S] JSON_OUT YAML_OUT

It writes one description twice: as JSON the way drf-spectacular serves
it (OpenApiJsonRenderer: DRF's JSONRenderer with indent 4, its compact
separators ',' and ':', non-ASCII as it is) and as YAML the way
drf-spectacular writes it (OpenApiYamlRenderer: yaml.dump block style,
keys in order, no aliases, multi-line strings as literal blocks; emitted
by libyaml through CSafeDumper for speed, the same text the pure-Python
SafeDumper writes for this data).

The description is what drf-spectacular makes of a Django REST framework
project of many apps, each with several ModelViewSets: for every resource
/api/v1/APP/RESOURCE/ (list, create) and /api/v1/APP/RESOURCE/{id}/
(retrieve, update, partial_update, destroy), some read-only, some with
extra @action routes; tags by app, operationIds as drf-spectacular makes
them (APP_RESOURCE_ACTION), query parameters (pagination, search,
ordering, django-filter fields with enums and their "* `value` - Label"
descriptions), path {id} parameters, some header parameters, request
bodies in JSON, form and multipart referring to components/schemas
(Resource, ResourceRequest, PatchedResourceRequest, PaginatedResourceList,
enums), responses with schemas, security. Everything comes from one
random.Random(seed): the same arguments give the same bytes.

Its one line on stdout, read by bench/openapi:

    operations=<N> paths=<P> groups=<G> schemas=<S> json_bytes=<B> yaml_bytes=<B>
    spot_group=<tag> spot_key=<operationId> spot_path=<path> spot_fields=<a,b,...>

(on one line): the spot is one partial_update operation, its fields in the
order the decoder gives them (parameters, then the body's properties).
"""
import argparse
import json
import random
import sys

import yaml

APPS = ['accounts', 'billing', 'catalog', 'inventory', 'orders', 'shipping', 'support',
        'analytics', 'content', 'crm', 'hr', 'projects', 'payments', 'reviews',
        'notifications', 'marketing', 'warehouse', 'events', 'media', 'compliance']
NOUNS = ['user', 'profile', 'invoice', 'payment', 'product', 'category', 'order', 'item',
         'shipment', 'carrier', 'ticket', 'comment', 'report', 'dashboard', 'article',
         'page', 'contact', 'lead', 'employee', 'team', 'project', 'task', 'milestone',
         'review', 'rating', 'message', 'subscription', 'campaign', 'coupon', 'stock',
         'location', 'event', 'attendee', 'asset', 'document', 'policy', 'audit', 'note',
         'tag', 'address', 'refund', 'plan', 'webhook', 'token', 'device', 'session',
         'survey', 'answer', 'schedule', 'vendor']
WORDS = ('the of a to in is for on with as by this that from be are at an or which it '
         'record resource value field object list current owner related created updated '
         'optional required returned when used only one each given number time status '
         'identifier name user request response default state change active primary').split()
STATUS = [('draft', 'Draft'), ('pending', 'Pending'), ('active', 'Active'),
          ('suspended', 'Suspended'), ('archived', 'Archived'), ('deleted', 'Deleted'),
          ('review', 'In review'), ('approved', 'Approved'), ('rejected', 'Rejected')]
KINDS = [('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent'),
         ('critical', 'Critical')]
CURRENCIES = [('EUR', 'Euro'), ('USD', 'US Dollar'), ('GBP', 'Pound sterling'),
              ('CHF', 'Swiss franc'), ('JPY', 'Yen'), ('SEK', 'Swedish krona')]
EXTRA_ACTIONS = [('publish', 'post'), ('archive', 'post'), ('history', 'get'),
                 ('export', 'get'), ('duplicate', 'post'), ('stats', 'get')]
SECURITY = [{'cookieAuth': []}, {'basicAuth': []}, {'tokenAuth': []}]
PAGINATION = [
    {'name': 'ordering', 'required': False, 'in': 'query',
     'description': 'Which field to use when ordering the results.',
     'schema': {'type': 'string'}},
    {'name': 'page', 'required': False, 'in': 'query',
     'description': 'A page number within the paginated result set.',
     'schema': {'type': 'integer'}},
    {'name': 'page_size', 'required': False, 'in': 'query',
     'description': 'Number of results to return per page.',
     'schema': {'type': 'integer'}},
    {'name': 'search', 'required': False, 'in': 'query',
     'description': 'A search term.', 'schema': {'type': 'string'}},
]


def camel(s):
    return ''.join(p.capitalize() for p in s.split('_'))


def sentence(rng, lo, hi):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return (' '.join(words)).capitalize() + '.'


def enum_description(choices):
    return '\n'.join('* `%s` - %s' % c for c in choices)


class Resource:
    """One ModelViewSet: its model's fields and the operations it has."""

    def __init__(self, rng, app, noun):
        self.app, self.noun = app, noun
        self.plural = noun + 's'
        self.model = camel(app[:-1] if app.endswith('s') else app) + camel(noun)
        self.doc = sentence(rng, 6, 14)
        if rng.random() < 0.3:  # a docstring of two paragraphs
            self.doc += '\n\n' + sentence(rng, 10, 24)
        self.read_only = rng.random() < 0.12
        self.extra = rng.sample(EXTRA_ACTIONS, rng.choice([0, 0, 0, 1, 1, 2]))
        self.header = rng.random() < 0.15
        self.searchable = rng.random() < 0.5  # SearchFilter and OrderingFilter
        self.all_parsers = rng.random() < 0.4  # JSON, form and multipart; else JSON only
        self.security = SECURITY if rng.random() < 0.3 else SECURITY[:2]
        self.fields = self.make_fields(rng)
        self.enums = [f for f in self.fields if f[1] == 'enum']
        self.filters = rng.sample([f for f in self.fields if f[1] in ('enum', 'bool', 'fk')],
                                  k=min(2, len([f for f in self.fields
                                                if f[1] in ('enum', 'bool', 'fk')])))

    def make_fields(self, rng):
        # (name, kind, options): kinds string text int decimal bool date enum fk uri
        fields = [('id', 'id', {}), ('url', 'uri', {'read_only': True})]
        names = set(('id', 'url'))
        pool = ['name', 'title', 'slug', 'code', 'email', 'phone', 'summary', 'body',
                'quantity', 'position', 'amount', 'price', 'is_active', 'is_public',
                'due_date', 'starts_at', 'status', 'priority', 'currency', 'owner',
                'parent', 'website', 'notes', 'weight', 'reference', 'external_id']
        for name in rng.sample(pool, rng.randint(4, 8)):
            if name in names:
                continue
            names.add(name)
            kind = {'name': 'string', 'title': 'string', 'slug': 'slug', 'code': 'string',
                    'email': 'email', 'phone': 'string', 'summary': 'string', 'body': 'text',
                    'notes': 'text', 'quantity': 'int', 'position': 'int', 'amount': 'decimal',
                    'price': 'decimal', 'weight': 'decimal', 'is_active': 'bool',
                    'is_public': 'bool', 'due_date': 'date', 'starts_at': 'datetime',
                    'status': 'enum', 'priority': 'enum', 'currency': 'enum', 'owner': 'fk',
                    'parent': 'fk', 'website': 'uri', 'reference': 'string',
                    'external_id': 'uuid'}[name]
            opts = {'required': rng.random() < 0.4, 'nullable': rng.random() < 0.2}
            if rng.random() < 0.35:
                opts['help'] = sentence(rng, 4, 12)
            if kind == 'enum':
                table = {'status': STATUS, 'priority': KINDS, 'currency': CURRENCIES}[name]
                opts['choices'] = table[:rng.randint(3, len(table))]
            fields.append((name, kind, opts))
        fields.append(('created_at', 'datetime', {'read_only': True}))
        fields.append(('updated_at', 'datetime', {'read_only': True}))
        return fields

    def enum_name(self, field):
        return self.model + camel(field) + 'Enum'

    def field_schema(self, name, kind, opts, request):
        """The property schema drf-spectacular writes for a serializer field."""
        if kind == 'id':
            s = {'type': 'integer', 'readOnly': True}
        elif kind == 'enum':
            ref = {'$ref': '#/components/schemas/' + self.enum_name(name)}
            s = {'allOf': [ref]} if opts.get('help') or opts.get('nullable') else ref
        elif kind == 'fk':
            s = {'type': 'integer'}
        elif kind == 'int':
            s = {'type': 'integer', 'maximum': 2147483647, 'minimum': -2147483648}
        elif kind == 'decimal':
            s = {'type': 'string', 'format': 'decimal',
                 'pattern': '^-?\\d{0,8}(?:\\.\\d{0,2})?$'}
        elif kind == 'bool':
            s = {'type': 'boolean'}
        elif kind == 'date':
            s = {'type': 'string', 'format': 'date'}
        elif kind == 'datetime':
            s = {'type': 'string', 'format': 'date-time'}
        elif kind == 'uri':
            s = {'type': 'string', 'format': 'uri'}
        elif kind == 'uuid':
            s = {'type': 'string', 'format': 'uuid'}
        elif kind == 'email':
            s = {'type': 'string', 'format': 'email', 'maxLength': 254}
        elif kind == 'slug':
            s = {'type': 'string', 'maxLength': 50, 'pattern': '^[-a-zA-Z0-9_]+$'}
        elif kind == 'text':
            s = {'type': 'string'}
        else:
            s = {'type': 'string', 'maxLength': 255}
        if request and kind in ('string', 'text', 'slug', 'email') and opts.get('required'):
            s['minLength'] = 1
        if opts.get('read_only'):
            s['readOnly'] = True
        if opts.get('nullable'):
            s['nullable'] = True
        if opts.get('help'):
            s['description'] = opts['help']
        if kind == 'string' and name == 'name':
            s['title'] = 'Display name'
        return s

    def schemas(self):
        """components/schemas entries: Resource, its requests, its page, its enums."""
        out = {}
        props, required = {}, []
        for name, kind, opts in self.fields:
            props[name] = self.field_schema(name, kind, opts, False)
            if kind == 'id' or opts.get('read_only') or opts.get('required'):
                required.append(name)
        out[self.model] = {'type': 'object', 'description': self.doc, 'properties': props,
                           'required': required}
        writable = [(n, k, o) for n, k, o in self.fields
                    if k != 'id' and not o.get('read_only')]
        if not self.read_only:
            req_props = {n: self.field_schema(n, k, o, True) for n, k, o in writable}
            req = {'type': 'object', 'description': self.doc, 'properties': req_props}
            req_required = [n for n, k, o in writable if o.get('required')]
            if req_required:
                req['required'] = req_required
            out[self.model + 'Request'] = req
            out['Patched' + self.model + 'Request'] = {
                'type': 'object', 'description': self.doc,
                'properties': {n: self.field_schema(n, k, o, True) for n, k, o in writable}}
        out['Paginated' + self.model + 'List'] = {
            'type': 'object', 'required': ['count', 'results'],
            'properties': {
                'count': {'type': 'integer', 'example': 123},
                'next': {'type': 'string', 'nullable': True, 'format': 'uri',
                         'example': 'http://api.example.org/accounts/?page=4'},
                'previous': {'type': 'string', 'nullable': True, 'format': 'uri',
                             'example': 'http://api.example.org/accounts/?page=2'},
                'results': {'type': 'array',
                            'items': {'$ref': '#/components/schemas/' + self.model}}}}
        for name, kind, opts in self.enums:
            out[self.enum_name(name)] = {'enum': [c[0] for c in opts['choices']],
                                         'type': 'string',
                                         'description': enum_description(opts['choices'])}
        return out

    def op_id(self, action):
        return '%s_%s_%s' % (self.app, self.plural, action)

    def filter_parameters(self):
        out = []
        for name, kind, opts in self.filters:
            if kind == 'enum':
                out.append({'in': 'query', 'name': name,
                            'schema': {'type': 'string',
                                       'enum': [c[0] for c in opts['choices']]},
                            'description': enum_description(opts['choices'])})
            elif kind == 'bool':
                out.append({'in': 'query', 'name': name, 'schema': {'type': 'boolean'}})
            else:
                out.append({'in': 'query', 'name': name, 'schema': {'type': 'integer'}})
        return out

    def header_parameters(self):
        if not self.header:
            return []
        return [{'in': 'header', 'name': 'X-Request-ID', 'schema': {'type': 'string',
                                                                    'format': 'uuid'},
                 'description': 'An identifier of the request, echoed in the logs.'},
                {'in': 'header', 'name': 'Accept-Language',
                 'schema': {'type': 'string', 'enum': ['en', 'de', 'fr', 'es', 'ja']},
                 'description': 'The language of the messages in the response.'}]

    def id_parameter(self):
        return {'in': 'path', 'name': 'id', 'schema': {'type': 'integer'},
                'description': 'A unique integer value identifying this %s.'
                % self.noun.replace('_', ' '),
                'required': True}

    def body(self, patched):
        ref = {'$ref': '#/components/schemas/%s%sRequest'
               % ('Patched' if patched else '', self.model)}
        body = {'content': {'application/json': {'schema': ref}}}
        if self.all_parsers:
            body['content']['application/x-www-form-urlencoded'] = {'schema': ref}
            body['content']['multipart/form-data'] = {'schema': ref}
        if not patched:
            body['required'] = True
        return body

    def response(self, code, schema):
        if schema is None:
            return {code: {'description': 'No response body'}}
        return {code: {'content': {'application/json': {'schema': {
            '$ref': '#/components/schemas/' + schema}}}, 'description': ''}}

    def operation(self, rng, action, description=None):
        op = {'operationId': self.op_id(action)}
        if description or rng.random() < 0.3:  # the viewset's docstring, or the action's
            op['description'] = description or sentence(rng, 5, 16)
        op['tags'] = [self.app]
        if rng.random() < 0.2:
            op['summary'] = sentence(rng, 2, 5)[:-1]
        return op

    def operations(self, rng):
        """[(path, method, operation)] in the order drf-spectacular writes them."""
        base = '/api/v1/%s/%s/' % (self.app, self.plural.replace('_', '-'))
        detail = base + '{id}/'
        hdr = self.header_parameters()
        ops = []

        op = self.operation(rng, 'list', self.doc)
        op['parameters'] = (self.filter_parameters() + hdr +
                            [p for p in PAGINATION
                             if self.searchable or p['name'] in ('page', 'page_size')])
        op['parameters'].sort(key=lambda p: (p['in'] != 'header', p['name']))
        op['security'] = self.security
        op['responses'] = self.response('200', 'Paginated%sList' % self.model)
        ops.append((base, 'get', op))
        if not self.read_only:
            op = self.operation(rng, 'create')
            if hdr:
                op['parameters'] = hdr
            op['requestBody'] = self.body(False)
            op['security'] = self.security
            op['responses'] = self.response('201', self.model)
            ops.append((base, 'post', op))

        common = [self.id_parameter()] + hdr
        op = self.operation(rng, 'retrieve', self.doc)
        op['parameters'] = common
        op['security'] = self.security
        op['responses'] = self.response('200', self.model)
        ops.append((detail, 'get', op))
        if not self.read_only:
            for method, action, patched in (('put', 'update', False),
                                            ('patch', 'partial_update', True)):
                op = self.operation(rng, action)
                op['parameters'] = common
                op['requestBody'] = self.body(patched)
                op['security'] = self.security
                op['responses'] = self.response('200', self.model)
                ops.append((detail, method, op))
            op = self.operation(rng, 'destroy')
            op['parameters'] = common
            op['security'] = self.security
            op['responses'] = self.response('204', None)
            ops.append((detail, 'delete', op))
        for name, method in self.extra:
            op = self.operation(rng, '%s_%s' % (name, 'create' if method == 'post'
                                                  else 'retrieve'))
            op['parameters'] = common
            if method == 'post' and not self.read_only:
                op['requestBody'] = self.body(False)
            op['security'] = self.security
            op['responses'] = self.response('200', self.model)
            ops.append((detail + name + '/', method, op))
        return ops


def field_names(resource, op):
    """The fields bench/openapi expects the decoder to give op: its parameters,
    then the writable properties of its request body (JSON) in order."""
    names = [p['name'] for p in op.get('parameters', [])]
    if 'requestBody' in op:
        names += [n for n, k, o in resource.fields if k != 'id' and not o.get('read_only')]
    return names


METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete']


def generate(n_ops, seed):
    rng = random.Random(seed)
    combos = [(a, n) for a in APPS for n in NOUNS]
    rng.shuffle(combos)
    resources, paths, ops_total, spot = [], {}, 0, None
    schemas = {}
    for app, noun in combos:
        if ops_total >= n_ops:
            break
        r = Resource(rng, app, noun)
        ops = r.operations(rng)[:n_ops - ops_total]
        ops_total += len(ops)
        resources.append(r)
        schemas.update(r.schemas())
        for path, method, op in ops:
            paths.setdefault(path, {})[method] = op
            if spot is None and method == 'patch' and r.header and len(resources) > 20:
                spot = (r, path, op)
    if ops_total < n_ops:
        sys.exit('gen_openapi: not enough resources for %d operations' % n_ops)
    # drf-spectacular sorts the paths, then each path item's methods.
    sorted_paths = {}
    for path in sorted(paths):
        item = paths[path]
        sorted_paths[path] = {m: item[m] for m in sorted(item, key=METHOD_ORDER.index)}
    doc = {
        'openapi': '3.0.3',
        'info': {'title': 'Bench API', 'version': '2.4.0',
                 'description': 'A generated description of a Django REST framework '
                                'project (bench/openapi).\n\nEvery app is a tag; '
                                'every resource a ModelViewSet.'},
        'paths': sorted_paths,
        'components': {
            'schemas': {k: schemas[k] for k in sorted(schemas)},
            'securitySchemes': {
                'basicAuth': {'type': 'http', 'scheme': 'basic'},
                'cookieAuth': {'type': 'apiKey', 'in': 'cookie', 'name': 'sessionid'},
                'tokenAuth': {'type': 'apiKey', 'in': 'header', 'name': 'Authorization',
                              'description': 'Token-based authentication with required '
                                             'prefix "Token"'}}},
    }
    groups = len(set(r.app for r in resources))
    return doc, ops_total, groups, len(schemas), spot


class Dumper(getattr(yaml, 'CSafeDumper', yaml.SafeDumper)):
    """drf-spectacular's OpenApiYamlRenderer Dumper."""

    def ignore_aliases(self, data):
        return True


def multiline_str_representer(dumper, data):
    scalar = dumper.represent_str(data)
    scalar.style = '|' if '\n' in data else None
    return scalar


Dumper.add_representer(str, multiline_str_representer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--operations', type=int, default=2000)
    parser.add_argument('--seed', type=int, default=20261202)
    parser.add_argument('json_out')
    parser.add_argument('yaml_out')
    args = parser.parse_args()
    if args.operations < 100:
        parser.error('--operations must be at least 100')
    doc, n_ops, groups, n_schemas, spot = generate(args.operations, args.seed)
    text_json = json.dumps(doc, indent=4, separators=(',', ':'), ensure_ascii=False)
    text_yaml = yaml.dump(doc, default_flow_style=False, sort_keys=False, allow_unicode=True,
                          Dumper=Dumper)
    data_json, data_yaml = text_json.encode('utf-8'), text_yaml.encode('utf-8')
    with open(args.json_out, 'wb') as f:
        f.write(data_json)
    with open(args.yaml_out, 'wb') as f:
        f.write(data_yaml)
    r, path, op = spot
    print('operations=%d paths=%d groups=%d schemas=%d json_bytes=%d yaml_bytes=%d '
          'spot_group=%s spot_key=%s spot_path=%s spot_fields=%s'
          % (n_ops, len(doc['paths']), groups, n_schemas, len(data_json), len(data_yaml),
             r.app, op['operationId'], path, ','.join(field_names(r, op))))


if __name__ == '__main__':
    main()
