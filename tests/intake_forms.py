"""The forms the intake command-line tests use."""

FORMS = """
[forms.welcome]
title = "Welcome to the panel"
introduction = "A few questions so we can support you."

[[forms.welcome.fields]]
name = "name"
type = "short_text"
label = "What name would you like us to use?"
help = "Any name you choose."
required = true
fills = "name"

[[forms.welcome.fields]]
name = "contact"
type = "single_choice"
label = "How should we contact you?"
choices = [{ value = "phone", label = "Phone or text" }, { value = "email", label = "Email" }]
fills = "extra.panel.contact"

[[forms.welcome.fields]]
name = "age"
type = "number"
label = "How old are you?"
min = 16
max = 120
integer = true
fills = "demographic.age"

[[forms.welcome.fields]]
name = "ethnicity_ok"
type = "consent"
label = "Can we record your ethnic group?"
statement = "We keep your ethnic group to check who the panel reaches."
purpose = "special:ethnicity"

[[forms.welcome.fields]]
name = "ethnicity"
type = "single_choice"
label = "Which best describes your ethnic group?"
choices = ["asian", "black", "mixed", "white", "other"]
fills = "demographic.ethnicity"
special = "ethnicity"

[[forms.welcome.fields]]
name = "hopes"
type = "long_text"
label = "What do you hope the panel will change?"

[forms.feedback]
title = "How was today?"
creates = "session_feedback"

[[forms.feedback.fields]]
name = "rung"
type = "single_choice"
label = "Where did today sit on the ladder?"
fills = "rating"

[[forms.feedback.fields]]
name = "feeling"
type = "short_text"
label = "How did today feel?"
fills = "feedback"
"""

ATTENDANCE = """
[[forms.feedback.fields]]
name = "came"
type = "single_choice"
label = "Were you there?"
fills = "attendance"
"""
