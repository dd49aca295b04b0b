"""Filling in a form at the terminal: one question at a time, then a review.

Type ``?`` for a question's help. A question is asked again until its answer
is valid. Nothing is saved until the review screen is confirmed; Ctrl-C (or
the end of the input) stops at any point and saves nothing.
"""

from __future__ import annotations

from typing import Any

import click

from coprod_core.errors import CoprodError
from coprod_core.forms import AnswerError, Field, FormDefinition

SKIPPED = "(skipped)"


def _ask_text(prompt: str) -> str:
    return str(click.prompt(prompt, default="", show_default=False, prompt_suffix=" "))


def ask(cat: Any, form: FormDefinition, fld: Field, number: int, *,
        updating: bool = False) -> Any:
    """The value of one answer, or None when an optional question is skipped.

    When ``updating`` someone already recorded, every question may be skipped.
    """
    total = len(form.fields)
    required = fld.required and not updating
    need = "" if required else " (optional: press Enter to skip)"
    click.echo(f"\n{number}/{total}  {fld.label}{need}")
    if fld.type == "consent":
        click.echo("  Please read this out, or show it, in full:")
        for line in str(fld.options["statement"]).strip().splitlines():
            click.echo(f"  | {line.strip()}")
    for i, (_value, label) in enumerate(fld.choices, 1):
        click.echo(f"  {i}) {label}")
    hint = cat.type_of(fld).hint_for(fld)
    prompt = f"  [{hint}] >" if hint else "  >"
    while True:
        text = _ask_text(prompt)
        if text.strip() == "?":
            click.echo("  " + (" ".join(fld.help.split()) if fld.help
                               else "There is no more help for this question."))
            if hint:
                click.echo(f"  Answer: {hint}.")
            continue
        if not text.strip():
            if required:
                click.echo("  This question needs an answer. Type ? for help.")
                continue
            return None
        try:
            return cat.read_one(fld, text, text=True)
        except AnswerError as exc:
            click.echo(f"  Sorry, that answer doesn't fit: {exc}. Please try again "
                       "(type ? for help).")


def _ask_id(ws: Any, collection: str, question: str) -> str:
    from coprod_core.forms.submit import existing

    while True:
        text = _ask_text(f"{question} >")
        try:
            return str(existing(ws, collection, text).id)
        except CoprodError as exc:
            click.echo(f"  {exc}. Please try again.")


def _review(cat: Any, form: FormDefinition, answers: dict[str, Any],
            notes: dict[str, str]) -> None:
    click.echo("\nHere are the answers:")
    for i, fld in enumerate(form.fields, 1):
        value = answers.get(fld.name)
        shown = SKIPPED if value is None else cat.show(fld, value)
        note = f"  [{notes[fld.name]}]" if fld.name in notes else ""
        click.echo(f"  {i:>2}. {fld.label}\n      {shown}{note}")


def _not_stored(ws: Any, form: FormDefinition, answers: dict[str, Any],
                participant_id: str | None) -> dict[str, str]:
    """Special-category answers that will not be kept, with why (shown at review)."""
    consents: dict[str, bool] = {}
    if participant_id:
        person = ws.participant(participant_id)
        consents = {c.purpose: c.given for c in person.consents}
    for fld in form.fields:
        if fld.type == "consent" and answers.get(fld.name) is not None:
            consents[fld.options["purpose"]] = bool(answers[fld.name])
    return {
        fld.name: f"will not be stored: no consent for special:{fld.special}"
        for fld in form.fields
        if fld.special and answers.get(fld.name) is not None
        and not consents.get(f"special:{fld.special}", False)
    }


def converse(ws: Any, cat: Any, form: FormDefinition, *, participant_id: str | None,
             session_id: str | None, method: str | None) -> Any:
    """Ask every question, review, then store; returns the submission's outcome."""
    from coprod_core.forms.submit import consent_method, submit

    click.echo(click.style(form.title, bold=True))
    if form.introduction:
        click.echo(form.introduction.strip())
    click.echo("\nType ? for help with any question. Nothing is saved until you have checked "
               "the answers at the end; press Ctrl-C at any time to stop without saving.")
    from coprod_core.forms.submit import existing

    if form.creates == "session_feedback":
        # Ids given on the command line are checked before any question is asked.
        if session_id is not None:
            session_id = existing(ws, "sessions", session_id).id
        if participant_id is not None:
            participant_id = existing(ws, "participants", participant_id).id
        if session_id is None:
            session_id = _ask_id(ws, "sessions", "\nWhich session is this about? (an id such "
                                 "as S-3)")
        if participant_id is None:
            participant_id = _ask_id(ws, "participants", "Who is giving the feedback? (an id "
                                     "such as P-12)")
    elif participant_id is not None:
        person = ws.participant(participant_id)
        participant_id = person.id
        click.echo(f"\nThese answers will update {person.id} ({person.display_name}); "
                   "questions you skip keep what is recorded.")
    updating = form.creates == "participant" and participant_id is not None

    answers: dict[str, Any] = {}
    for i, fld in enumerate(form.fields, 1):
        answers[fld.name] = ask(cat, form, fld, i, updating=updating)
    while True:
        _review(cat, form, answers, _not_stored(ws, form, answers, participant_id))
        choice = _ask_text("\nPress Enter to save, type a number to change that answer, "
                           "or q to stop without saving >").strip().lower()
        if choice in ("", "s", "save", "y", "yes"):
            break
        if choice in ("q", "quit", "n", "no"):
            raise click.Abort()
        if choice.isdigit() and 1 <= int(choice) <= len(form.fields):
            fld = form.fields[int(choice) - 1]
            answers[fld.name] = ask(cat, form, fld, int(choice), updating=updating)
            continue
        click.echo(f"  Please type a number from 1 to {len(form.fields)}, press Enter to save, "
                   "or type q.")
    given = {k: v for k, v in answers.items() if v is not None}
    if method is None:
        try:
            consent_method(form, given, None)
        except CoprodError:  # a consent question does not say how consent is given
            method = _ask_method()
    return submit(ws, form, given, participant_id=participant_id, session_id=session_id,
                  method=method, cat=cat)


def _ask_method() -> str:
    click.echo("\nHow was consent given?")
    methods = ("written", "verbal", "electronic")
    for i, name in enumerate(methods, 1):
        click.echo(f"  {i}) {name}")
    while True:
        text = _ask_text("  [type the number] >").strip().lower()
        if text.isdigit() and 1 <= int(text) <= len(methods):
            return methods[int(text) - 1]
        if text in methods:
            return text
        click.echo("  Please type 1, 2 or 3.")
