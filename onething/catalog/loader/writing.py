"""Writing catalog entries back as YAML in the files' one layout (export and fmt)."""

import yaml


class _Flow(dict):
    """A mapping written inline: short entries and rules read best on one line."""


class _FlowList(list):
    """A list of scalars written inline: [a, b, c]."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow,
    lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True),
)
_Dumper.add_representer(
    _FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)

FLOW_MAPS = {"when", "visits_alone", "visits"}
FLOW_ROW_LISTS = {"options", "materials", "dependencies", "fields", "faq"}


def _scalar(value) -> bool:
    return not isinstance(value, dict | list)


def _flowify(value, key: str | None = None):
    if isinstance(value, dict):
        if key in FLOW_MAPS or (
            key == "_row"
            and all(
                _scalar(v) or isinstance(v, list) and all(map(_scalar, v)) for v in value.values()
            )
        ):
            return (
                _Flow({k: _FlowList(v) if isinstance(v, list) else v for k, v in value.items()})
                if key not in FLOW_MAPS
                else _Flow(value)
            )
        return {k: _flowify(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(map(_scalar, value)):
            return _FlowList(value)
        return [_flowify(v, "_row" if key in FLOW_ROW_LISTS else None) for v in value]
    return value


def dump_yaml(doc) -> str:
    return yaml.dump(
        _flowify(doc),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
        default_flow_style=False,
    )
