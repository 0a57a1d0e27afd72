"""Whether a database is this portal's, told from its table names and its django_migrations rows.

`restore` asks before it touches anything: a backup must hold the tables its recorded migrations
create, record migrations of each of the portal's own apps (but those that gained their first
migration later, `LATER_APPS`), and record none this code lacks
(a backup from newer code would leave the site running on tables it does not know). A backup
from older code passes; `manage.py migrate` then brings it up to date.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

# Apps of ours whose first migration came after backups of the portal existed: an older
# backup records none of theirs and is still this portal's (`migrate` adds them). `accounts`
# gained them in issue 15 (a unique index on users' email addresses, the reset-request log),
# `practice` came in issue 17 (practice tests and the answers given to questions), `notes`
# gained them in issue 21 (suggested cards), `decks` in issue 16 (an imported Anki deck's
# images), `pagecache` in issue 20 (the content version the page cache is keyed by).
LATER_APPS = frozenset({"accounts", "decks", "notes", "pagecache", "practice"})

# Where installed packages live. The project's virtualenv usually sits inside the project
# folder (`.venv/`), so Django's and third parties' apps are under BASE_DIR too.
INSTALLED_PACKAGES = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}


def own_apps(loader: MigrationLoader) -> list[str]:
    """The labels of the portal's apps that have migrations (not Django's, not third parties')."""
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if config.label in loader.migrated_apps and _is_the_projects(Path(config.path).resolve())
    )


def _is_the_projects(path: Path) -> bool:
    inside = path.is_relative_to(settings.BASE_DIR)
    return inside and not any(path.is_relative_to(folder) for folder in INSTALLED_PACKAGES)


def portal_database_problem(*, tables: set[str], recorded: set[tuple[str, str]]) -> str | None:
    """Why a database with these tables and these (app, migration) rows is not this portal's;
    None when it is."""
    if "django_migrations" not in tables:
        return "not of this portal (it has no django_migrations table)"
    loader = MigrationLoader(None, ignore_no_migrations=True)
    missing_apps = [
        label
        for label in own_apps(loader)
        if label not in LATER_APPS and not any(app == label for app, _ in recorded)
    ]
    if missing_apps:
        return f"not of this portal: it records no migrations of {_some(missing_apps)}"
    # A squashed migration stands for those it replaces: a database may record either.
    replaced = {
        key: squash
        for squash, migration in loader.replacements.items()
        for key in migration.replaces
    }
    unknown = sorted(
        f"{app}.{name}"
        for app, name in recorded
        if app in loader.migrated_apps
        and (app, name) not in loader.graph.nodes
        and (app, name) not in replaced
    )
    if unknown:
        return f"from newer code: it records migrations this code lacks ({_some(unknown)})"
    nodes = sorted({replaced.get(key, key) for key in recorded} & set(loader.graph.nodes))
    state = loader.project_state(nodes, at_end=True)
    expected = {
        model._meta.db_table
        for model in state.apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    absent = sorted(expected - tables)
    if absent:
        count = len(absent)
        return f"not a whole portal database: {count} of its tables are missing ({_some(absent)})"
    return None


def _some(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")
