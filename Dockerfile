# The raqib worker image used by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md topics.yaml ./
COPY schemas ./schemas
COPY workers ./workers
RUN pip install ".[rocksdb]"

# Health and metrics (Faust web server).
EXPOSE 6066
USER nobody
ENV RAQIB_DATA_DIR=/tmp/raqib
ENTRYPOINT ["raqib"]
CMD ["worker"]
