# The assistant with the packaged model and a pre-built index. No model is downloaded at run time.
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
    ASSISTANT_DATA_DIR=/data
# CPU torch first, or pip pulls the CUDA build.
RUN pip install torch==2.13.0
COPY pyproject.toml README.md ./
COPY assistant ./assistant
RUN pip install .
COPY corpus ./corpus
ENV ASSISTANT_CORPUS_DIR=/app/corpus ASSISTANT_INDEX_DIR=/app/index
RUN assistant index build --quiet
RUN useradd --create-home assistant && mkdir -p /data && chown assistant /data
USER assistant
VOLUME ["/data"]
EXPOSE 3000
# Default: the Slack app over HTTP. For the console: docker run -it IMAGE assistant chat
CMD ["assistant", "slack", "--port", "3000"]
