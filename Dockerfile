# One image for the API and the workers: Python 3.11, Tesseract inside, the package installed with its extras.
# Build: docker build -t navis-records .   (docker-compose.yml runs it as `api` and `worker`.)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OMP_THREAD_LIMIT=1 \
    NAVIS_DATA_DIR=/data

RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng poppler-utils \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY navis ./navis
COPY ingest ./ingest
COPY extract ./extract
COPY personalize ./personalize
COPY api ./api
COPY worker ./worker
COPY store ./store
# flower is only for the monitoring service of docker-compose.yml
RUN pip install --no-cache-dir . flower==2.0.1

RUN useradd --create-home --uid 10001 navis && mkdir -p /data && chown navis /data
USER navis
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["navis", "serve", "--host", "0.0.0.0", "--port", "8000"]
