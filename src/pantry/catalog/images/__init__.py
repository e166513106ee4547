"""Product images: upload checks, storage by content hash, renditions.

``validation`` decodes and re-encodes an upload, ``services`` stores and
orders images, ``renditions`` makes the resized copies (run by the task in
``catalog.tasks``), ``shapes`` turns stored rows into JSON and page data.
"""
