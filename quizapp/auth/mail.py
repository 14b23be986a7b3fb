"""The password-reset email, sent with Flask-Mailman over the MAIL_* settings."""

from datetime import datetime

from flask import current_app, render_template
from flask_mailman import EmailMessage

from quizapp.models import User


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_reset_link(user: User, link: str, expires_at: datetime) -> bool:
    """Mail `link` to the account's address; False (and logged) if the server refused."""
    message = EmailMessage(
        subject="Reset your quizapp password",
        body=render_template("auth/reset_email.txt", user=user, link=link,
                             expires_at=expires_at),
        to=[user.email],
    )
    try:
        message.send()
    except OSError:  # smtplib's errors are OSErrors, as are refused connections
        current_app.logger.exception("could not mail a reset link to user %s", user.id)
        return False
    return True
