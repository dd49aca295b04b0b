"""Forms declared in ``coprod.toml``: ``[forms.<name>]`` tables, checked key by key.

Every problem is one :class:`ConfigError` naming the dotted key, such as
``forms.welcome.fields[2].choices``. Fields count from 0, as in TOML tools.

The configuration is checked when it is loaded, before plugins are; a field
whose type a plugin adds is then checked in full when forms are first needed
(:func:`coprod_core.forms.catalogue.load`), with the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..categories import categories
from ..config import Context
from ..errors import ConfigError
from ..model import AttendanceStatus, Rung
from . import (
    CREATES,
    FEEDBACK_TARGETS,
    FORM_NAME,
    NAME,
    PARTICIPANT_TARGETS,
    RESERVED_NAMES,
    Field,
    FieldType,
    FormDefinition,
    OptionProblem,
)

FORM_KEYS = ("title", "introduction", "creates", "role", "fields")
FIELD_KEYS = ("name", "type", "label", "help", "required", "fills", "special", "contact")

#: Field types a target accepts, among the built-in ones (a plugin's type may fill any).
_TARGET_TYPES: dict[str, tuple[str, ...]] = {
    "name": ("short_text",),
    "pseudonym": ("short_text",),
    "email": ("email", "short_text"),
    "phone": ("phone", "short_text"),
    "role": ("single_choice",),
    "attendance": ("single_choice",),
    "rating": ("single_choice",),
    "feedback": ("short_text", "long_text"),
}

#: The choices a field filling these targets has when it lists none.
DEFAULT_CHOICES: dict[str, tuple[str, ...]] = {
    "attendance": tuple(a.value for a in AttendanceStatus),
    "rating": tuple(r.value for r in Rung),
}


def check_forms(table: Mapping[str, Any], ctx: Context) -> None:
    """The ``[forms]`` checker listed in ``config.SECTION_CHECKERS``."""
    forms_from_config(table, ctx, None)


def forms_from_config(
    table: Mapping[str, Any], ctx: Context, types: Mapping[str, FieldType] | None
) -> dict[str, FormDefinition]:
    """Every ``[forms.<name>]`` as a :class:`FormDefinition`.

    ``types`` are the registered field types; None checks against the
    built-in ones and leaves other type names to be checked later.
    """
    forms = {}
    for name, body in table.items():
        if not FORM_NAME.match(name):
            raise ctx.error(
                f"forms.{name}",
                "form names are lower-case letters, digits, _ and -, starting with a letter",
            )
        ctx.expect(table, name, dict, f"forms.{name}")
        forms[name] = form_from_table(name, body, ctx, types)
    from ..protection.definitions import from_forms

    try:
        from_forms(forms.values())
    except ConfigError as exc:
        raise ctx.error("forms", str(exc)) from None
    return forms


def form_from_table(
    name: str, table: Mapping[str, Any], ctx: Context, types: Mapping[str, FieldType] | None
) -> FormDefinition:
    dotted = f"forms.{name}"
    ctx.no_unknown(table, FORM_KEYS, dotted)
    title = _text(ctx, table, "title", f"{dotted}.title", required=True) or ""
    introduction = _text(ctx, table, "introduction", f"{dotted}.introduction") or ""
    creates = ctx.expect(table, "creates", str, f"{dotted}.creates", "participant")
    if creates not in CREATES:
        raise ctx.error(f"{dotted}.creates", f"must be one of: {', '.join(CREATES)}")
    role = ctx.expect(table, "role", str, f"{dotted}.role", "lived_experience")
    if "role" in table and creates != "participant":
        raise ctx.error(f"{dotted}.role", "only forms that create participants have a role")
    if not NAME.match(role):
        raise ctx.error(f"{dotted}.role", "must be a role name such as lived_experience")
    if "fields" not in table:
        raise ctx.error(f"{dotted}.fields", "is missing; a form needs at least one field "
                        "([[forms.NAME.fields]] tables)")
    raw_fields = ctx.expect(table, "fields", list, f"{dotted}.fields")
    if not raw_fields:
        raise ctx.error(f"{dotted}.fields", "must list at least one field")
    fields: list[Field] = []
    filled: dict[str, str] = {}
    for i, raw in enumerate(raw_fields):
        where = f"{dotted}.fields[{i}]"
        if not isinstance(raw, dict):
            raise ctx.error(where, "must be a table with name, type and label")
        fld = _field(raw, ctx, where, creates, types)
        if fld.name in (f.name for f in fields):
            raise ctx.error(f"{where}.name", f"repeats the field name {fld.name!r}")
        target = fld.fills or ("consent:" + fld.options["purpose"] if fld.type == "consent"
                               else None)
        if target is not None:
            if target in filled:
                raise ctx.error(
                    f"{where}.fills" if fld.fills else f"{where}.purpose",
                    f"field {fld.name!r} fills {target}, which field {filled[target]!r} "
                    "already fills",
                )
            filled[target] = fld.name
        fields.append(fld)
    return FormDefinition(name=name, title=title, introduction=introduction, creates=creates,
                          role=role, fields=fields)


def _text(ctx: Context, table: Mapping[str, Any], key: str, dotted: str,
          required: bool = False) -> str | None:
    if key not in table:
        if required:
            raise ctx.error(dotted, "is missing")
        return None
    value = ctx.expect(table, key, str, dotted)
    if required and not value.strip():
        raise ctx.error(dotted, "must not be empty")
    return str(value).strip()


def _field(raw: Mapping[str, Any], ctx: Context, where: str, creates: str,
           types: Mapping[str, FieldType] | None) -> Field:
    from .types import BUILTIN_TYPES

    name = _text(ctx, raw, "name", f"{where}.name", required=True) or ""
    if not NAME.match(name):
        raise ctx.error(f"{where}.name", "field names are lower-case letters, digits and "
                        "underscores, starting with a letter (at most 40)")
    if name in RESERVED_NAMES:
        raise ctx.error(f"{where}.name", f"{name!r} is reserved for saying who or what the "
                        "answers are about; choose another name")
    type_name = _text(ctx, raw, "type", f"{where}.type", required=True) or ""
    known = BUILTIN_TYPES if types is None else types
    field_type = known.get(type_name)
    if field_type is None and types is not None:
        raise ctx.error(f"{where}.type", f"field {name!r}: unknown field type {type_name!r}; "
                        f"available: {', '.join(sorted(types))}")
    allowed = (*FIELD_KEYS, *(o.key for o in field_type.options)) if field_type else None
    if allowed is not None:
        ctx.no_unknown(raw, allowed, where)
    label = _text(ctx, raw, "label", f"{where}.label", required=True) or ""
    help_text = _text(ctx, raw, "help", f"{where}.help") or ""
    required = ctx.expect(raw, "required", bool, f"{where}.required", False)
    fills = _text(ctx, raw, "fills", f"{where}.fills")
    special = _text(ctx, raw, "special", f"{where}.special")
    contact = ctx.expect(raw, "contact", bool, f"{where}.contact", False)
    protected = categories(ctx.data)
    options = {k: v for k, v in raw.items() if k not in FIELD_KEYS}

    if fills is not None:
        _check_fills(ctx, f"{where}.fills", name, fills, creates, type_name)
        if fills in DEFAULT_CHOICES:
            options.setdefault("choices", list(DEFAULT_CHOICES[fills]))
    if contact:
        if type_name == "consent" or creates != "participant":
            raise ctx.error(f"{where}.contact", f"field {name!r}: only a question about a "
                            "participant can be a contact detail")
        if special is not None:
            raise ctx.error(f"{where}.contact", f"field {name!r} is in the category "
                            f"{special}; a contact detail cannot be in a category too")
    if type_name == "consent":
        purpose = options.get("purpose")
        if (isinstance(purpose, str) and purpose.startswith("special:")
                and purpose.partition(":")[2] not in protected):
            raise ctx.error(f"{where}.purpose",
                            f"field {name!r}: unknown category in {purpose!r}; "
                            f"categories: {', '.join(protected)} (declare others in "
                            "[privacy] protected)")
        if fills is not None:
            raise ctx.error(f"{where}.fills", "a consent field fills the participant's "
                            "consent record; leave fills out")
        if creates != "participant":
            raise ctx.error(f"{where}.type", "consent fields belong on forms that create "
                            "or update participants")
    if special is not None:
        if special not in protected:
            raise ctx.error(f"{where}.special",
                            f"must be one of: {', '.join(protected)} (declare others in "
                            "[privacy] protected)")
        if fills is None or not fills.startswith("demographic."):
            raise ctx.error(f"{where}.special", f"field {name!r}: a special-category answer "
                            "must fill a demographic (fills = \"demographic.<key>\")")

    if field_type is not None:
        for option in field_type.options:
            dotted = f"{where}.{option.key}"
            if option.required and option.key not in options:
                raise ctx.error(dotted, f"is missing; a {type_name} field needs it")
            ctx.expect(options, option.key, option.type, dotted)
        if field_type.check_options is not None:
            try:
                field_type.check_options(options)
            except OptionProblem as problem:
                raise ctx.error(f"{where}.{problem.key}", problem.message) from None
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise ctx.error(where, f"field {name!r}: options do not fit the "
                                f"{type_name} type ({exc})") from None
        if fills in DEFAULT_CHOICES:
            allowed_values = DEFAULT_CHOICES[fills]
            from . import parse_choices

            for i, (value, _label) in enumerate(parse_choices(options["choices"])):
                if value not in allowed_values:
                    raise ctx.error(f"{where}.choices[{i}]",
                                    f"{value!r} is not one of: {', '.join(allowed_values)}")
    return Field(name=name, type=type_name, label=label, help=help_text, required=required,
                 fills=fills, special=special, contact=contact, options=options)


def _check_fills(ctx: Context, dotted: str, name: str, fills: str, creates: str,
                 type_name: str) -> None:
    if creates == "participant":
        if fills.startswith("demographic."):
            if not NAME.match(fills.partition(".")[2]):
                raise ctx.error(dotted, "a demographic key is lower-case letters, digits and "
                                "underscores (demographic.age_band)")
            return
        if fills.startswith("extra."):
            namespace, dot, key = fills.partition(".")[2].partition(".")
            if not (dot and NAME.match(namespace) and NAME.match(key)):
                raise ctx.error(dotted, "an extra key is namespaced: extra.<namespace>.<key> "
                                "(extra.panel.how_heard)")
            return
        targets = PARTICIPANT_TARGETS
        wanted = ", ".join((*targets, "demographic.<key>", "extra.<namespace>.<key>"))
    else:
        targets = FEEDBACK_TARGETS
        wanted = ", ".join(targets)
    if fills not in targets:
        raise ctx.error(dotted, f"field {name!r}: a {creates} form's field fills one of: "
                        f"{wanted}")
    from .types import BUILTIN_TYPES

    fitting = _TARGET_TYPES.get(fills)
    if fitting and type_name in BUILTIN_TYPES and type_name not in fitting:
        raise ctx.error(dotted, f"field {name!r} fills {fills}, which takes a field of type "
                        f"{' or '.join(fitting)}, not {type_name}")
