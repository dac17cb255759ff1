# The function image: the project installed into /python, started as OCI Functions starts
# Python functions (`/python/bin/fdk <entry file> handler`).
FROM fnproject/python:3.11-dev AS build
WORKDIR /build
COPY pyproject.toml README.md ./
COPY functions/ functions/
COPY ocifake/ ocifake/
RUN pip3 install --no-cache-dir --target /python . && chmod -R o+r /python

FROM fnproject/python:3.11
COPY --from=build /python /python
COPY functions/func.py /function/functions/func.py
ENV PYTHONPATH=/python
ENTRYPOINT ["/python/bin/fdk", "/function/functions/func.py", "handler"]
