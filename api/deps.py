"""Annotated dependencies: the settings and the open store of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from loader.namespaces import Namespaces
from loader.settings import Settings
from loader.store import LodStore


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> LodStore:
    store: LodStore = request.app.state.store
    return store


def get_namespaces(request: Request) -> Namespaces:
    namespaces: Namespaces = request.app.state.namespaces
    return namespaces


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[LodStore, Depends(get_store)]
NamespacesDep = Annotated[Namespaces, Depends(get_namespaces)]
