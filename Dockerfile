# The raqib worker image used by docker-compose.yml.
#
# Build stage: a C compiler builds the dedup kernel (workers/core/dedup/_nearpath.pyx).
# RAQIB_REQUIRE_KERNEL=1 makes the build hook fail instead of falling back to pure
# Python, and the check after the install fails the image build if the installed raqib
# does not run the compiled kernel.
FROM python:3.11-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 RAQIB_REQUIRE_KERNEL=1
RUN python -m venv /opt/raqib
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md topics.yaml ./
COPY schemas ./schemas
COPY workers ./workers
RUN /opt/raqib/bin/pip install ".[rocksdb]"
RUN cd / && /opt/raqib/bin/python -c "import sys; from workers.core.dedup.line_match import compiled; sys.exit(0 if compiled() else 'raqib image: the dedup kernel is not compiled')"

# Runtime stage: the same base image, no compiler, the built environment only.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/raqib/bin:$PATH
COPY --from=build /opt/raqib /opt/raqib
# The contract next to the app, where docker-compose.yml points RAQIB_TOPICS_FILE (the
# installed package also carries a copy, used when the variable is unset).
WORKDIR /app
COPY topics.yaml ./
COPY schemas ./schemas
# Health and metrics (Faust web server).
EXPOSE 6066
USER nobody
ENV RAQIB_DATA_DIR=/tmp/raqib
ENTRYPOINT ["raqib"]
CMD ["worker"]
