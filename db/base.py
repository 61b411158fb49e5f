"""The declarative base of every Lotse table (knowledge, answers, cases, inbox, counts)."""

from sqlalchemy.orm import declarative_base

Base = declarative_base()
