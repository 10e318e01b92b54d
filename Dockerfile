FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home salesops && chown -R salesops /app
USER salesops
EXPOSE 8000
# docker compose gives its own command (migrate, collectstatic, then this); gunicorn.conf.py sizes
# the workers to the container's CPUs.
CMD ["gunicorn", "salesops.wsgi:application", "--config", "gunicorn.conf.py"]
