# Lotse's image for the Rasa server (NLU + dialogue, with the project's pipeline components)
# and the action server. Build context: the repository; the model comes from `make train`.
FROM python:3.10.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false
RUN useradd --create-home --uid 1001 lotse
WORKDIR /app

COPY requirements.txt constraints.txt pyproject.toml ./
COPY nlu/ nlu/
COPY knowledge/ knowledge/
COPY actions/ actions/
COPY bot/ bot/
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt \
 && pip install --no-cache-dir --no-deps -e . \
 && pip check

COPY config.yml domain.yml endpoints.yml credentials.yml alembic.ini ./
RUN mkdir var && chown lotse var
USER lotse
EXPOSE 5005 5055
CMD ["rasa", "run", "--enable-api", "--port", "5005", "--model", "models", "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
