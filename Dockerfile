# syntax=docker/dockerfile:1
# The assistant with the packaged model and a pre-built embedded index; no model is downloaded at run time.
#   docker build -t councillor-assistant .
#   docker compose up          (app + PostgreSQL + Chroma server: see compose.yaml and docs/deploy.md)
# Not built on the machine this was written on (no Docker daemon); tests/deploy checks it without one.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: a virtualenv holding CPU torch, the assistant and its dependencies; the embedded index ------------
FROM ${PYTHON_IMAGE} AS builder
ARG TORCH=torch==2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
RUN python -m venv /opt/venv
# CPU torch first, from PyTorch's CPU index: from PyPI pip would pull the CUDA build (gigabytes of nvidia-* wheels).
RUN pip install --index-url "$TORCH_INDEX_URL" "$TORCH"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY assistant ./assistant
RUN pip install .
COPY corpus ./corpus
# The embedded index, for `docker run` on its own; with ASSISTANT_CHROMA_URL the index lives on the Chroma server.
RUN ASSISTANT_CORPUS_DIR=/src/corpus ASSISTANT_INDEX_DIR=/src/index \
    assistant index build --quiet

# --- runtime: the virtualenv and the data, run as a user without privileges ------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
    ASSISTANT_CORPUS_DIR=/app/corpus ASSISTANT_INDEX_DIR=/app/index ASSISTANT_DATA_DIR=/data PORT=3000
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/assistant assistant \
    && mkdir -p /data && chown assistant:assistant /data && chmod 0700 /data
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# Owned by the app's user: `assistant index add` writes to the corpus, and Chroma writes to its own folder.
COPY --from=builder --chown=assistant:assistant /src/corpus ./corpus
COPY --from=builder --chown=assistant:assistant /src/index ./index
USER assistant
VOLUME ["/data"]
EXPOSE 3000
# Liveness: the app answers /healthz on $PORT. Python, because the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# The Slack app over HTTP on $PORT. For the console: docker run -it IMAGE assistant chat
CMD ["assistant", "slack"]
