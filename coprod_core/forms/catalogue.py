"""The forms and field types a workspace can use: from plugins and from coprod.toml."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from attrs import field, frozen

from ..config import Config, Context, _text
from ..errors import ConfigError, CoprodError, InvalidValue, PluginError
from . import AnswerError, AnswersInvalid, Field, FieldType, FormDefinition
from .declare import form_from_table, forms_from_config


@frozen(kw_only=True)
class Catalogue:
    """Every form by name, where it came from, and every field type."""

    types: dict[str, FieldType]
    forms: dict[str, FormDefinition]
    #: Form name -> ``coprod.toml`` or the name of the plugin that registered it.
    sources: dict[str, str]
    #: Form name -> why a plugin's registration of it was refused.
    refused: Mapping[str, str] = field(factory=dict)
    _readers: dict[tuple[str, bool], Callable[..., dict[str, Any]]] = field(
        factory=dict, eq=False, repr=False)

    def form(self, name: str) -> FormDefinition:
        if name not in self.forms:
            if name in self.refused:
                raise PluginError(self.refused[name])
            if not self.forms:
                from ..errors import CoprodError

                raise CoprodError(
                    f"unknown form {name!r}: this workspace has no intake forms yet; declare "
                    "one in coprod.toml as [forms.<name>] (see docs/forms.md)"
                )
            raise InvalidValue("form", name, sorted(self.forms))
        return self.forms[name]

    def type_of(self, fld: Field) -> FieldType:
        return self.types[fld.type]

    def read(self, form: FormDefinition, answers: Mapping[str, Any], *,
             text: bool = False, partial: bool = False) -> dict[str, Any]:
        """Every answer checked by its field type; :class:`AnswersInvalid` lists all problems.

        ``text=True`` reads answers as typed (a CSV cell, the keyboard);
        otherwise as values from a TOML or JSON file. Unanswered optional
        questions are left out of the result. ``partial=True`` (updating an
        existing participant) lets required questions go unanswered too.
        """
        key = (form.name, text)
        reader = self._readers.get(key)
        if reader is None or self.forms.get(form.name) is not form:
            reader = self._readers[key] = self._compile(form, text)
        return reader(answers, partial)

    def _compile(self, form: FormDefinition, text: bool) -> Callable[..., dict[str, Any]]:
        """A reader for one form's answers, with each field's work looked up once."""
        names = set(form.field_names)
        steps = [(fld.name, fld.required, fld, _text_reader(self.type_of(fld)),
                  self.type_of(fld).read_value) for fld in form.fields]

        def read(answers: Mapping[str, Any], partial: bool) -> dict[str, Any]:
            problems: list[tuple[str, str]] = []
            if not names.issuperset(answers):
                problems.extend(_unknown(form, names, answers))
            result: dict[str, Any] = {}
            for name, required, fld, read_text, read_value in steps:
                raw = answers.get(name)
                if raw is None or (raw.isspace() or not raw if isinstance(raw, str)
                                   else is_blank(raw)):
                    if required and not partial:
                        problems.append((name, "needs an answer"))
                    continue
                try:
                    if text:
                        result[name] = read_text(str(raw), fld)
                    else:
                        result[name] = read_value(raw, fld)
                except ValueError as exc:  # AnswerError, or a plugin type's ValueError
                    problems.append((name, str(exc)))
                except Exception as exc:
                    raise PluginError(
                        f"field type {fld.type!r} failed reading an answer to {name!r} "
                        f"({type(exc).__name__}: {exc})"
                    ) from exc
            if problems:
                raise AnswersInvalid(problems)
            return result

        return read

    def read_one(self, fld: Field, raw: Any, *, text: bool) -> Any:
        field_type = self.type_of(fld)
        try:
            if text:
                return field_type.read_text(str(raw), fld)
            return field_type.read_value(raw, fld)
        except AnswerError:
            raise
        except ValueError as exc:
            raise AnswerError(str(exc)) from None
        except Exception as exc:
            raise PluginError(
                f"field type {fld.type!r} failed reading an answer to {fld.name!r} "
                f"({type(exc).__name__}: {exc})"
            ) from exc

    def show(self, fld: Field, value: Any) -> str:
        try:
            return self.type_of(fld).display(value, fld)
        except Exception:  # showing must never lose an answer: fall back to the raw value
            return str(value)


def _text_reader(field_type: FieldType) -> Callable[[str, Field], Any]:
    # parse itself, one call fewer per answer, unless a subclass reads text its own way
    if type(field_type).read_text is FieldType.read_text:
        return field_type.parse
    return field_type.read_text


def _unknown(form: FormDefinition, names: set[str], answers: Mapping[str, Any]
             ) -> list[tuple[str, str]]:
    from difflib import get_close_matches

    problems = []
    for key in answers:
        if key not in names:
            close = get_close_matches(str(key), list(names), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append((str(key), f"is not a question of form {form.name!r}{hint}"))
    return problems


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (
        isinstance(raw, list | tuple) and not raw
    )


def load(config: Config, pm: Any) -> Catalogue:
    """The forms and field types of a workspace with these plugins."""
    types: dict[str, FieldType] = pm.registry.things("field_types")
    forms: dict[str, FormDefinition] = {}
    sources: dict[str, str] = {}
    for name, item in sorted(pm.registry.table("forms").items()):
        form = item.thing
        try:
            # Checked as if declared in TOML, and given the same defaults
            # (a rating question's choices are the rungs of the ladder).
            forms[name] = form_from_table(name, form.to_table(),
                                          Context(None, data=config.data), types)
        except ConfigError as exc:
            raise PluginError(f"plugin {item.plugin!r} registered form {name!r}, which is "
                              f"malformed: {exc}") from None
        sources[name] = item.plugin

    ctx = Context(config.path, _text(config.path), config.data)
    for name, form in forms_from_config(config.table("forms"), ctx, types).items():
        if name in forms:
            raise ctx.error(f"forms.{name}", f"form {name!r} is also registered by plugin "
                            f"{sources[name]!r}; rename one of them")
        forms[name] = form
        sources[name] = "coprod.toml"

    for name, form in forms.items():
        _check_roles(form, config, ctx if sources[name] == "coprod.toml" else None)
    from ..protection.definitions import from_forms

    from_forms(forms.values())  # one category per answer key, across every form
    return Catalogue(types=types, forms=forms, sources=sources,
                     refused=pm.registry.table("forms").refused)


def _check_roles(form: FormDefinition, config: Config, ctx: Context | None) -> None:
    def fail(key: str, message: str) -> CoprodError:
        if ctx is not None:
            return ctx.error(key, message)
        return PluginError(f"form {form.name!r}: {message}")

    roles = config.roles
    if form.creates == "participant" and form.role not in roles:
        raise fail(f"forms.{form.name}.role",
                   f"unknown role {form.role!r}; roles: {', '.join(roles)}")
    for i, fld in enumerate(form.fields):
        if fld.fills == "role":
            for j, (value, _label) in enumerate(fld.choices):
                if value not in roles:
                    raise fail(f"forms.{form.name}.fields[{i}].choices[{j}]",
                               f"unknown role {value!r}; roles: {', '.join(roles)}")
