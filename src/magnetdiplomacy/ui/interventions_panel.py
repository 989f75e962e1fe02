"""Live interventions: pick a policy event, adjust its parameters, fire it into the running model."""

from __future__ import annotations

from html import escape

import solara

from ..interventions import ACTIONS, ActionError
from . import actions
from .controls import SliderRow
from .state import AppState


@solara.component
def FieldInput(field: actions.Field, value, on_value):
    label = field.label
    if field.kind == "choice":
        solara.Select(label, values=list(field.choices), value=value, on_value=on_value, dense=True)
    elif field.kind == "bool":
        solara.Switch(label=f"{label}: {'on' if value else 'off'}", value=bool(value), on_value=on_value)
    else:
        lo, hi = field.bounds
        use_default = value is None
        if field.optional:

            def toggle(checked):
                on_value(None if checked else (lo + hi) / 2 if field.kind == "float" else int((lo + hi) // 2))

            solara.Checkbox(label=f"{label}: model's default", value=use_default, on_value=toggle)
        if not use_default:
            number = int if field.kind == "int" else float
            step = 1 if field.kind == "int" else 0.01 if hi - lo <= 2 else 1.0
            SliderRow(
                label,
                actions.field_words(field, value),
                number(value),
                number(lo),
                number(hi),
                step,
                lambda v: on_value(number(v)),
                css=f"md-field md-field-{field.name}",
            )


@solara.component
def InterventionPanel(state: AppState):
    menu = solara.use_memo(actions.menu, [])
    labels = [spec.label for spec in menu]
    by_label = {spec.label: spec for spec in menu}
    choice = solara.use_reactive(labels[0])
    spec = by_label[choice.value]
    values = solara.use_reactive(actions.initial_values(spec))
    feedback = solara.use_reactive("")
    # a new model (Reset or another scenario) clears the feedback on the last one
    solara.use_effect(lambda: feedback.set(""), [state.generation.value])

    def choose(label):
        choice.value = label
        values.value = actions.initial_values(by_label[label])
        feedback.value = ""

    def setter(name):
        def set_value(value):
            values.value = {**values.value, name: value}

        return set_value

    def fire():
        if not state.session.running:
            feedback.value = "The run has ended: press Reset first."
            return
        try:  # the model validates the parameters once, as it queues them
            feedback.value = state.session.fire(spec.name, actions.clean(spec, values.value))
        except ActionError as err:
            feedback.value = str(err)
            return
        state.refresh()

    solara.Select("Policy event", values=labels, value=choice.value, on_value=choose, classes=["md-action"])
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<b>{escape(spec.actor)}</b> → {escape(spec.target)}. {escape(spec.help)}",
        classes=["md-help"],
    )
    for field in actions.form_fields(spec):
        FieldInput(field, values.value.get(field.name, field.default), setter(field.name))
    solara.Button("Fire", icon_name="mdi-flash", on_click=fire, color="warning", classes=["md-fire"])
    if feedback.value:
        solara.HTML(tag="div", unsafe_innerHTML=escape(feedback.value), classes=["md-feedback"])
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            "It takes effect at the start of the next month, shows as a numbered marker on the time charts and as a "
            "row in the event log."
        ),
        classes=["md-help"],
    )


def action_label(name: str) -> str:
    spec = ACTIONS.get(name)
    return spec.label if spec else name
