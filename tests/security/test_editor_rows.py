"""The editor's "add a row" button at the most rows a list holds: a clear 400, not a 500."""

import pytest

from tests.views.test_author import form_for


@pytest.fixture
def bank(make_bank, make_user):
    return make_bank(title="Rows", owner=make_user("owner", role="instructor"),
                     topics_=("venue",))


@pytest.mark.parametrize("rows", ["items", "answers", "options"])
def test_adding_a_row_past_the_limit_is_a_clear_400(client, auth, bank, rows):
    auth.login("owner")
    qtype = {"items": "ordering", "answers": "short_answer", "options": "single_choice"}[rows]
    data = {k: v for k, v in form_for(qtype).items() if not k.startswith(f"{rows}-")}
    data.pop("save")
    for n in range(40):
        if rows == "options":
            data[f"options-{n}-text"] = f"option {n}"
        else:
            data[f"{rows}-{n}"] = f"entry {n}"
    data["add_row"] = rows
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=data)
    assert response.status_code == 400
    assert "at most 40 rows" in response.data.decode()
    assert f'name="{rows}-39' in response.data.decode()  # what was typed is kept


def test_adding_a_row_below_the_limit_still_works(client, auth, bank):
    auth.login("owner")
    data = {**form_for("ordering"), "add_row": "items"}
    data.pop("save")
    for n in range(39):
        data[f"items-{n}"] = f"entry {n}"
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=data)
    assert response.status_code == 200 and 'name="items-39"' in response.data.decode()


def test_a_hostile_markdown_prompt_is_a_clear_400(client, auth, bank):
    auth.login("owner")
    data = {**form_for("true_false"), "prompt": "[*!" * 20_000}
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=data)
    assert response.status_code == 400
    assert "5000 characters" in response.data.decode()
