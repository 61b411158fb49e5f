# Lotse's one image: the Rasa server (NLU + dialogue, with the project's pipeline components),
# the action server, the Telegram adapter and the migration step; docker-compose.yml picks the
# command. Build context: the repository. The model is not in the image: it is trained by
# `make train` and mounted (models/). Secrets come only from the environment at run time.
FROM python:3.10.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN useradd --create-home --uid 1001 lotse
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them: the services' own
# (requirements.txt), not the development tools (requirements-dev.txt, devtools/, tests/).
COPY requirements.txt constraints.txt pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

COPY db/ db/
COPY cities/ cities/
COPY configuration/ configuration/
COPY texts/ texts/
COPY nlu/ nlu/
COPY knowledge/ knowledge/
COPY cases/ cases/
COPY rasa_server/ rasa_server/
COPY retention/ retention/
COPY actions/ actions/
COPY bot/ bot/
COPY workspace/ workspace/
RUN pip install --no-cache-dir --no-deps -e . && pip check

COPY config.yml domain.yml endpoints.yml endpoints.production.yml credentials.yml alembic.ini ./
RUN mkdir var models && chown lotse var
USER lotse
EXPOSE 5005 5055 8090 8443
# Rasa with its API behind the token from the environment: rasa_server/serve.py refuses to start without one.
CMD ["python", "-m", "rasa_server.serve", "--port", "5005", "--model", "models", "--credentials", "credentials.yml", "--endpoints", "endpoints.production.yml"]
