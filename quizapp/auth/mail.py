"""The password-reset email, sent with Flask-Mailman over the MAIL_* settings."""

from datetime import datetime

from flask import Response, after_this_request, current_app, render_template
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


def send_reset_link_after_commit(user: User, link: str, expires_at: datetime) -> None:
    """Mail the link once the request's unit of work has committed it: no mail server is
    waited for inside the write, and no link is mailed that was rolled back (an answer of
    400 or more, or an error, is never committed: quizapp.unit_of_work)."""

    @after_this_request
    def send(response: Response) -> Response:
        if response.status_code < 400:
            send_reset_link(user, link, expires_at)
        return response
