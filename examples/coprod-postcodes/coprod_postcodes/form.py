"""The ``contact-details`` form: how to reach someone, with their consent first."""

from __future__ import annotations

from coprod_core.forms import Field, FormDefinition

from . import POSTCODE_KEY

CONTACT_STATEMENT = (
    "We will use your phone number and postcode only to get in touch about the "
    "panel: meetings, payments and changes. You can ask us to stop at any time, "
    "and we will delete them."
)

CONTACT_DETAILS = FormDefinition(
    name="contact-details",
    title="How can we reach you?",
    introduction="A few questions so we can keep in touch. You can skip any of them.",
    fields=(
        Field(name="name", type="short_text", label="What name would you like us to use?",
              required=True, fills="name"),
        Field(name="contact_consent", type="consent",
              label="Can we contact you about the panel?",
              options={"statement": CONTACT_STATEMENT, "purpose": "contact"}),
        Field(name="phone", type="phone", label="What phone number should we use?",
              fills="phone"),
        Field(name="postcode", type="uk_postcode", label="What is your postcode?",
              help="We use it to send letters and to find meetings near you.",
              fills=f"extra.{POSTCODE_KEY}"),
    ),
)
