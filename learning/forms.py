"""Forms. Every form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from . import accounts, clock
from .models import OrganisationKind, Role
from .professions import Stage, choices


class Form(FlaskForm):
    """The base of every form: refuses what no field may hold before any validator sees it
    (a NUL byte, which PostgreSQL cannot store; a number that is not finite), keeping what was
    typed and saying what is wrong."""

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001 - WTForms' signature
        refused = {field.name: problem for field in self if (problem := _unusable(field))}
        if not refused:
            return super().validate(extra_validators)
        for field in self:
            field.errors = [refused[field.name]] if field.name in refused else []
        self._errors = None  # WTForms caches the errors of the last validation
        return False

    def hidden_tag(self, *fields: object) -> Markup:
        """The form's hidden fields (its CSRF token), without ids: a page may hold several
        forms, and an id names one element on a page."""
        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in fields] or self
        hidden = (f for f in chosen if isinstance(getattr(f, "widget", None), HiddenInput))
        return Markup("\n").join(f(id=False) for f in hidden)


def _unusable(field) -> str | None:  # noqa: ANN001 - any WTForms field
    if any(isinstance(value, str) and "\x00" in value for value in field.raw_data or ()):
        return "Remove the hidden null character from this answer: it cannot be saved"
    if isinstance(field.data, float | Decimal) and not Decimal(field.data).is_finite():
        return "Enter a number, for example 1.5"
    return None


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def options(pairs: list[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


STAGE_CHOICES = options([(stage.value, stage.label) for stage in Stage])
NO_ORGANISATION = 0


def _new_password(form: FlaskForm, field: PasswordField) -> None:
    email = getattr(form, "email", None)
    name = getattr(form, "name", None)
    problem = accounts.password_problem(
        field.data or "",
        email=email.data if email is not None else getattr(form, "account_email", ""),
        name=name.data if name is not None else "",
    )
    if problem:
        raise ValidationError(problem)


class ProfessionFields:
    """Name, profession, stage and registration number: asked at registration and on profile."""

    name = StringField(
        "Full name",
        validators=[DataRequired("Enter your full name"), Length(max=120)],
        filters=[_strip],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    profession = SelectField(
        "Profession",
        choices=options([("", "Choose your profession"), *choices()]),
        validators=[InputRequired("Choose your profession")],
    )
    stage = RadioField(
        "Stage",
        choices=STAGE_CHOICES,
        validators=[InputRequired("Choose whether you are a student or qualified")],
    )
    registration_number = StringField(
        "Professional registration number (optional)",
        description="For example your NMC PIN or Social Work England registration number.",
        validators=[Optional(), Length(max=40)],
        render_kw={"spellcheck": "false"},
    )


class RegisterForm(ProfessionFields, Form):
    """Create an account."""

    email = EmailField(
        "Email address",
        validators=[
            InputRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        "Create a password",
        description=f"At least {accounts.MIN_PASSWORD_LENGTH} characters. "
        "A few unrelated words make a strong password.",
        validators=[InputRequired("Create a password"), _new_password],
        render_kw={"autocomplete": "new-password"},
    )
    organisation = SelectField(
        "Organisation (optional)",
        coerce=int,
        validators=[Optional()],
        default=NO_ORGANISATION,
        description="Your employer confirms that you work there before your training counts in "
        "its figures.",
    )
    submit = SubmitField("Create account")


class SignInForm(Form):
    """Sign in with email and password."""

    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address")],
        filters=[_strip],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device for 14 days")
    submit = SubmitField("Sign in")


class ResetRequestForm(Form):
    """Ask for a password reset link."""

    # No format check: the answer is the same for any address, and demo accounts use .test.
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    submit = SubmitField("Send reset link")


class NewPasswordForm(Form):
    """Choose a new password from a reset link."""

    account_email = ""
    password = PasswordField(
        "New password",
        description=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.",
        validators=[InputRequired("Enter a new password"), _new_password],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(NewPasswordForm):
    """Change the password while signed in."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password")],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Change password")


class ProfileForm(ProfessionFields, Form):
    """Edit one's own details."""

    organisation = SelectField(
        "Organisation",
        coerce=int,
        validators=[Optional()],
        default=NO_ORGANISATION,
        description="A new organisation confirms that you work there before your training "
        "counts in its figures.",
    )
    submit = SubmitField("Save changes")


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RolesForm(Form):
    """An admin sets a user's roles."""

    roles = MultiCheckboxField(
        "Roles",
        choices=options([(role.value, f"{role.label}: {role.description}") for role in Role]),
        description="Everyone is a learner. Tick the roles this person should also have.",
    )
    submit = SubmitField("Save roles")


class MoveOrganisationForm(Form):
    """An admin moves a user to another organisation."""

    organisation = SelectField("Organisation", coerce=int)
    submit = SubmitField("Move")


class OrganisationForm(Form):
    """Create or edit an organisation."""

    name = StringField(
        "Name",
        validators=[DataRequired("Enter the organisation's name"), Length(max=200)],
        filters=[_strip],
    )
    kind = SelectField(
        "Kind",
        choices=options(
            [("", "Choose a kind"), *[(kind.value, kind.label) for kind in OrganisationKind]]
        ),
        validators=[InputRequired("Choose what kind of organisation this is")],
    )
    submit = SubmitField("Save organisation")


class ActionForm(Form):
    """A button that changes something: carries only the CSRF token."""

    submit = SubmitField("Confirm")


class CohortForm(Form):
    """Create or edit a cohort."""

    name = StringField(
        "Name",
        description="For example: Discharge together, spring 2027.",
        validators=[DataRequired("Enter a name for the cohort"), Length(max=200)],
        filters=[_strip],
    )
    description = TextAreaField(
        "Description (optional)", validators=[Optional(), Length(max=2000)], filters=[_strip]
    )
    starts_on = DateField("Start date", validators=[Optional()])
    ends_on = DateField("End date", validators=[Optional()])
    group_size = IntegerField(
        "Group size",
        description="How many learners in each small group.",
        default=5,
        validators=[
            InputRequired("Enter a group size"),
            NumberRange(2, 12, "Group size must be between 2 and 12"),
        ],
    )
    min_professions = IntegerField(
        "At least this many professions",
        default=3,
        validators=[
            InputRequired("Enter how many professions you aim for"),
            NumberRange(1, 11, "Enter a number from 1 to 11"),
        ],
    )
    max_share = IntegerField(
        "No profession above this share (%)",
        default=50,
        validators=[
            InputRequired("Enter the largest share one profession may have"),
            NumberRange(10, 100, "Enter a percentage from 10 to 100"),
        ],
    )
    require_health_and_social_care = BooleanField(
        "Health and social care learners both present", default=True
    )
    require_housing = BooleanField("Housing learners present", default=True)
    co_trainers = MultiCheckboxField("Co-trainers", coerce=int)
    submit = SubmitField("Save cohort")

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be on or after the start date")


class ProgrammeItemForm(Form):
    """Add a module or scenario to a cohort's programme."""

    item = SelectField("Module or scenario", validators=[InputRequired("Choose what to add")])
    due_on = DateField("Due date (optional)", validators=[Optional()])
    submit = SubmitField("Add to programme")


class UploadForm(Form):
    """Upload a CSV of learners to invite."""

    file = FileField(
        "CSV file",
        description="Columns: email, name, profession, stage, organisation (optional). "
        "Up to 5,000 rows.",
        validators=[FileRequired("Choose a CSV file to upload")],
    )
    submit = SubmitField("Check and invite")


class JoinCodeForm(Form):
    """Make a join code that expires on a date."""

    expires_on = DateField(
        "Code works until", validators=[InputRequired("Enter the last day the code works")]
    )
    submit = SubmitField("Make a new code")


class JoinForm(Form):
    """A learner joins a cohort with a code."""

    code = StringField(
        "Join code",
        description="Your trainer gives you this, for example K7PQ-M2XH-9A.",
        validators=[DataRequired("Enter your join code"), Length(max=40)],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    submit = SubmitField("Join cohort")


class AllocateForm(Form):
    """Form the cohort's groups."""

    by = RadioField(
        "Form groups by",
        choices=options([("size", "Group size"), ("count", "Number of groups")]),
        default="size",
        validators=[InputRequired("Choose how to form groups")],
    )
    value = IntegerField(
        "Size or number",
        validators=[
            InputRequired("Enter a group size or number of groups"),
            NumberRange(1, 500, "Enter a number from 1 to 500"),
        ],
    )
    seed = IntegerField(
        "Shuffle number",
        description="The same number always gives the same groups; change it for another mix.",
        default=1,
        validators=[InputRequired("Enter a shuffle number"), NumberRange(0, 10**6)],
    )
    submit = SubmitField("Form groups")


class RequirementForm(Form):
    """An employer requires a module or scenario of some or all staff."""

    item = SelectField("Module or scenario", validators=[InputRequired("Choose what to require")])
    profession = SelectField("Who must do it: profession", validators=[Optional()])
    stage = SelectField(
        "Who must do it: stage",
        choices=options([("", "Every stage"), *[(s.value, s.label) for s in Stage]]),
        validators=[Optional()],
    )
    refresh_months = IntegerField(
        "Refresh every (months)",
        description="Leave empty if once is enough. For example 36 for every three years.",
        validators=[Optional(), NumberRange(1, 120, "Enter a number of months from 1 to 120")],
    )
    due_soon_days = IntegerField(
        "Show as due soon this many days before it runs out",
        default=60,
        validators=[
            InputRequired("Enter how many days before expiry it is due soon"),
            NumberRange(0, 365, "Enter a number of days from 0 to 365"),
        ],
    )
    submit = SubmitField("Add requirement")


class CpdEntryForm(Form):
    """A learning activity recorded by hand."""

    on = DateField("Date", validators=[InputRequired("Enter the date of the activity")])
    activity = SelectField(
        "Type of activity", validators=[InputRequired("Choose the type of activity")]
    )
    topic = StringField(
        "Topic",
        validators=[DataRequired("Enter what the activity was about"), Length(max=200)],
        filters=[_strip],
    )
    hours = DecimalField(
        "Hours",
        places=2,
        validators=[
            InputRequired("Enter how many hours it took, for example 1.5"),
            NumberRange(0.25, 100, "Enter hours from 0.25 to 100"),
        ],
    )
    participatory = BooleanField(
        "Participatory: I learned with other professionals",
        description="The NMC counts learning with one or more other professionals.",
    )
    learned = TextAreaField("What I learned", validators=[Optional(), Length(max=5000)])
    impact = TextAreaField("How it changed my practice", validators=[Optional(), Length(max=5000)])
    standard = StringField(
        "Which standard of my code it relates to (optional)",
        description="For example: NMC Code, Practise effectively; or SWE standard 4.",
        validators=[Optional(), Length(max=300)],
        filters=[_strip],
    )
    peer_reflection = BooleanField("I discussed this learning with a peer")
    submit = SubmitField("Add to my record")

    def validate_on(self, field: DateField) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError("The date cannot be in the future")


class AuditSearchForm(Form):
    """Searching the audit trail: a GET form in the address, so it needs no CSRF token."""

    class Meta:
        csrf = False

    actor = StringField("Done by (name or email)", validators=[Optional(), Length(max=200)])
    action = SelectField("Action", validators=[Optional()])
    subject = StringField(
        "About (person, organisation, cohort…)", validators=[Optional(), Length(max=200)]
    )
    since = DateField("From", validators=[Optional()], description="For example, 2026-11-27")
    until = DateField("To", validators=[Optional()], description="For example, 2026-12-01")

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The “To” date must be the same as or after the “From” date")


class CloseAccountForm(Form):
    """An administrator confirms closing an account by typing its email address."""

    email = StringField(
        "Type their email address to confirm",
        validators=[DataRequired("Type the person's email address to confirm"), Length(max=254)],
        filters=[_strip],
    )
    submit = SubmitField("Close this account")

    def __init__(self, *args: object, expected: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_email(self, field: StringField) -> None:
        if field.data and field.data.casefold() != self.expected.casefold():
            raise ValidationError(
                "The email address does not match: type it exactly as shown above"
            )
