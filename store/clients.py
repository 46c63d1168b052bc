"""API clients (patients, clinics, operators) and their bearer tokens, which are stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Client, Patient, Token

ClientKind = Literal["patient", "clinic", "operator"]
KINDS: tuple[str, ...] = ("patient", "clinic", "operator")


@dataclass(frozen=True)
class NewClient:
    """A client just created, with the only copy of its token."""

    id: str
    kind: str
    token: str
    patient_id: str | None


def hash_token(token: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so a plain SHA-256 cannot be brute-forced."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_client(session: Session, kind: ClientKind, name: str) -> NewClient:
    """A client and a first token; a patient client also gets the patient record it owns."""
    if kind not in KINDS:
        raise ValueError(f"client kind must be one of {', '.join(KINDS)}")
    client = Client(kind=kind, name=name)
    session.add(client)
    session.flush()
    token = issue_token(session, client.id)
    patient_id = None
    if kind == "patient":
        patient = Patient(owner_id=client.id)
        session.add(patient)
        session.flush()
        patient_id = patient.id
    return NewClient(id=client.id, kind=kind, token=token, patient_id=patient_id)


def issue_token(session: Session, client_id: str) -> str:
    """A new bearer token for ``client_id``; only its hash is kept."""
    token = "nv_" + secrets.token_urlsafe(32)
    session.add(Token(client_id=client_id, token_hash=hash_token(token)))
    return token


def authenticate(session: Session, token: str) -> Client | None:
    """The client holding ``token``, or None."""
    statement = select(Client).join(Token, Token.client_id == Client.id).where(Token.token_hash == hash_token(token))
    return session.scalars(statement).first()


def identify(session: Session, token: str) -> tuple[str, str, str | None] | None:
    """(client id, kind, own patient id) of the token's holder, in one query (it runs on every request)."""
    own = (Patient.owner_id == Client.id) & (Client.kind == "patient")
    statement = (
        select(Client.id, Client.kind, Patient.id)
        .join(Token, Token.client_id == Client.id)
        .outerjoin(Patient, own)
        .where(Token.token_hash == hash_token(token))
        .limit(1)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1], row[2])


def own_patient_id(session: Session, client_id: str) -> str | None:
    """The patient record a patient client owns."""
    return session.scalars(select(Patient.id).where(Patient.owner_id == client_id).limit(1)).first()
