"""The one `MetaData` every table of the metadata store is defined on (`tables`,
`deployment_tables`)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
