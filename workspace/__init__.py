"""The coordinators' workspace: a web application in which coordinators keep the knowledge base
current, translated and reviewed, in a browser (http://127.0.0.1:8090 with `make run`). It
reads the knowledge store Lotse answers from and keeps its own accounts and audit log in the
same database."""
