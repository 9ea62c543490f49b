"""The repository config (costplan.toml or [tool.costplan]): account labels → AWS profiles for --live
(over real HTTP to the local fake AWS), thresholds and defaults, and one clear line per bad key."""
from __future__ import annotations

import json

import pytest
from fakeaws import fake, fake_server  # noqa: F401

from conftest import SCENARIOS
from costplan import config
from costplan.errors import CostplanError

GLOBAL_VOTE = (SCENARIOS / "global_vote.yaml").read_text()

PROD_KEY, QA_KEY = "AKIAPRODPRODPROD0001", "AKIAQAQAQAQAQAQA0002"


@pytest.fixture
def two_accounts(tmp_path, monkeypatch, fake):  # noqa: F811
    """A repository with a prod and a qa scenario, a costplan.toml mapping each label to a profile,
    and an AWS credentials file with the two profiles (different access keys)."""
    (tmp_path / "costplan.toml").write_text(
        '[accounts.prod]\nprofile = "p-prod"\n\n[accounts.qa]\nprofile = "p-qa"\n\n[thresholds]\nwarn = 70\n')
    creds = tmp_path / "credentials"
    creds.write_text(f"[p-prod]\naws_access_key_id = {PROD_KEY}\naws_secret_access_key = prodsecret\n"
                     f"[p-qa]\naws_access_key_id = {QA_KEY}\naws_secret_access_key = qasecret\n")
    cfgfile = tmp_path / "aws-config"
    cfgfile.write_text("[profile p-prod]\nregion = us-east-1\n[profile p-qa]\nregion = us-east-1\n")
    for v in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfgfile))
    monkeypatch.delenv("COSTPLAN_CONFIG", raising=False)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "prod.yaml").write_text(GLOBAL_VOTE)
    (tmp_path / "s" / "qa.yaml").write_text(GLOBAL_VOTE.replace("account: prod", "account: qa")
                                            .replace("name: global-vote", "name: global-vote-qa"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_live_reads_each_account_with_its_own_profile(cli, two_accounts, fake):  # noqa: F811
    code, out, err = cli("limits-check", "s/", "--live", "--format", "json")
    assert code in (0, 1), err
    keys = {k for _, k in fake.keys}
    assert keys == {PROD_KEY, QA_KEY}  # each account's calls signed with its own profile's key
    by_op = {}
    for op, k in fake.keys:
        by_op.setdefault(k, set()).add(op)
    assert by_op[PROD_KEY] == by_op[QA_KEY]  # the same quotas read for both
    data = json.loads(out)
    notes = data["warnings"]
    assert any("account prod:" in n and "profile p-prod" in n for n in notes)
    assert any("account qa:" in n and "profile p-qa" in n for n in notes)
    assert data["thresholds"]["warning_pct"] == 70  # from costplan.toml
    assert "prodsecret" not in out + err and "qasecret" not in out + err


def test_profile_flag_overrides_every_account(cli, two_accounts, fake):  # noqa: F811
    code, out, err = cli("limits-check", "s/", "--live", "--profile", "p-qa", "--format", "json")
    assert code in (0, 1), err
    assert {k for _, k in fake.keys} == {QA_KEY}
    assert any("--profile overrides the config's p-prod" in n for n in json.loads(out)["warnings"])


def test_tool_costplan_in_pyproject(tmp_path, monkeypatch):
    monkeypatch.delenv("COSTPLAN_CONFIG", raising=False)
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n[tool.costplan]\nregion = "eu-west-1"\n'
                                             'free_tier = false\n[tool.costplan.accounts.prod]\nprofile = "p"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = config.load(sub)  # found from a subfolder, as git finds its repository
    assert cfg.region == "eu-west-1" and cfg.free_tier is False and cfg.account("prod").profile == "p"
    assert cfg.path == str(tmp_path / "pyproject.toml")


def test_config_defaults_apply_only_where_the_scenario_is_silent(tmp_path, monkeypatch):
    from costplan import scenario

    monkeypatch.delenv("COSTPLAN_CONFIG", raising=False)
    (tmp_path / "costplan.toml").write_text('region = "eu-west-1"\nfree_tier = false\n')
    silent = GLOBAL_VOTE.replace("region: us-east-1\n", "")
    assert silent != GLOBAL_VOTE
    (tmp_path / "silent.yaml").write_text(silent)
    (tmp_path / "explicit.yaml").write_text(GLOBAL_VOTE)
    monkeypatch.chdir(tmp_path)
    a, b = scenario.load("silent.yaml"), scenario.load("explicit.yaml")
    assert (a.region, a.free_tier) == ("eu-west-1", False)
    assert b.region == "us-east-1" and b.free_tier is False


def test_commands_without_a_scenario_file_take_the_config_region_and_free_tier(tmp_path, monkeypatch, cli):
    # compare --executions, price and pricing show have no scenario to carry a region: the config's
    # applies, as the config's docstring says, and an explicit --region / --free-tier still wins
    monkeypatch.delenv("COSTPLAN_CONFIG", raising=False)
    (tmp_path / "costplan.toml").write_text('region = "eu-west-1"\nfree_tier = false\n')
    monkeypatch.chdir(tmp_path)
    config._CACHE.clear()
    code, out, _ = cli("compare", "--executions", "3M", "--duration", "120ms", "--format", "json")
    got = json.loads(out)
    assert code == 0 and got["region"] == "eu-west-1" and got["free_tier"] is False
    code, out, _ = cli("compare", "--executions", "3M", "--duration", "120ms", "--region", "us-west-2",
                       "--free-tier", "--format", "json")
    got = json.loads(out)
    assert got["region"] == "us-west-2" and got["free_tier"] is True
    code, out, _ = cli("price", "lambda", "monthly_requests=3M", "--format", "json")
    got = json.loads(out)
    assert got["region"] == "eu-west-1" and not any("free tier" in li["name"] for li in got["line_items"])
    code, out, _ = cli("price", "lambda", "monthly_requests=3M", "--free-tier", "--format", "json")
    assert any("free tier" in li["name"] for li in json.loads(out)["line_items"])
    code, out, _ = cli("pricing", "show", "lambda", "--format", "json")
    assert code == 0 and "eu-west-1" in out
    config._CACHE.clear()


@pytest.mark.parametrize("text,expected", [
    ('regoin = "x"', 'regoin: unknown key (did you mean "region"?)'),
    ('[accounts.prod]\nprofil = "p"', 'accounts.prod.profil: unknown key (did you mean "profile"?)'),
    ('[accounts.prod]\nrole_arn = "role/x"', "accounts.prod.role_arn: expected an IAM role ARN"),
    ('[thresholds]\nwarn = "high"', "thresholds.warn: expected a percentage"),
    ('free_tier = "yes"', "free_tier: expected true or false"),
    ('region = ', "not valid TOML"),
])
def test_bad_config_is_one_line_per_problem(tmp_path, monkeypatch, text, expected, cli):
    (tmp_path / "costplan.toml").write_text(text + "\n")
    monkeypatch.setenv("COSTPLAN_CONFIG", str(tmp_path / "costplan.toml"))
    with pytest.raises(CostplanError) as e:
        config.load()
    assert len(e.value.problems) == 1
    assert expected in str(e.value.problems[0]) and "costplan.toml" in str(e.value.problems[0])
    code, _, err = cli("limits-check", str(SCENARIOS / "global_vote.yaml"))
    assert code == 2 and expected in err and "Traceback" not in err
