# The function image: only the function's distribution (the replicator package) and its locked
# dependencies (functions/image.lock: oci, pydantic, and fdk without its build and test
# dependencies) installed into /python, started as OCI Functions starts Python functions
# (`/python/bin/fdk <entry file> handler`). The operator tools and the fake are not in it.
FROM fnproject/python:3.11-dev AS build
WORKDIR /build
COPY functions/ functions/
RUN pip3 install --no-cache-dir --no-deps --require-hashes --target /python -r functions/image.lock \
 && pip3 install --no-cache-dir --no-deps --target /python ./functions \
 && chmod -R o+r /python

FROM fnproject/python:3.11
COPY --from=build /python /python
COPY functions/func.py /function/functions/func.py
ENV PYTHONPATH=/python
ENTRYPOINT ["/python/bin/fdk", "/function/functions/func.py", "handler"]
