"""Catalogue data read by the palette and the inspector: a kind's other names (aliases) and the meaning of
a setting's special minimum (a pooling stride of 0 is "same as kernel")."""

from __future__ import annotations

import pytest

from netbuilder.layers import ALIASES, DEPRECATED, aliases_of, all_specs, get_spec


def test_every_alias_names_a_registered_kind_and_is_lower_case():
    kinds = {s.kind for s in all_specs()}
    assert set(ALIASES) <= kinds
    for names in ALIASES.values():
        assert all(n == n.lower().strip() and n for n in names)


@pytest.mark.parametrize("name, kind", [("linear", "dense"), ("fully connected", "dense"), ("fc", "dense"),
                                        ("conv", "conv2d"), ("batchnorm", "batchnorm2d"), ("swish", "silu")])
def test_common_other_names(name, kind):
    assert name in aliases_of(kind)


def test_renamed_kinds_count_as_aliases():
    for old, new in DEPRECATED.items():
        assert old.replace("_", " ") in aliases_of(new)


def test_special_values_only_on_whole_numbers_with_a_minimum():
    specials = [(s.kind, p) for s in all_specs() for p in s.params if p.special]
    assert {(k, p.name) for k, p in specials} >= {("maxpool2d", "stride"), ("avgpool2d", "stride")}
    for _kind, p in specials:
        assert p.type == "int" and p.min is not None
    assert get_spec("maxpool2d").torch_kwargs(get_spec("maxpool2d").resolve({"kernel_size": 3}), [(1, 8, 8)])[
        "stride"] == 3  # 0 does mean the kernel size
