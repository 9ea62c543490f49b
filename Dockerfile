# A small image for CI: `docker run --rm -v "$PWD:/work" costplan compare scenarios/`.
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
COPY . /src
RUN python -m pip install "/src[aws]" \
 && rm -rf /src \
 && useradd --create-home --uid 10001 costplan
USER costplan
WORKDIR /work
ENTRYPOINT ["costplan"]
CMD ["--help"]
