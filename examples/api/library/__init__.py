"""Books: a small model-backed resource of the libcoreapi example API.

A DRF ModelViewSet (list with pagination and query filters, create,
retrieve, update, partial update, delete), a raw-body file upload action
and a multipart "import" action, all described by the Core API schema at
/schema/.
"""
