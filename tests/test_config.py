from __future__ import annotations

from pathlib import Path

import pytest

from tactful.config import Config, ConfigError, load_config


def test_defaults_when_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TACTFUL_CONFIG", raising=False)
    assert load_config() == Config()


def test_reads_house_style_and_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "tactful.toml"
    path.write_text(
        '[style]\nregret_words = "warning"\n[thresholds]\nmax_apologies = 0\n'
        '[rules]\ndisable = ["tactful.clarity.jargon"]\n[channels.phone]\nsla_minutes = 1\n'
    )
    cfg = load_config(path)
    assert cfg.style.regret_words == "warning" and cfg.thresholds.max_apologies == 0
    assert not cfg.rule_enabled("tactful.clarity.jargon") and cfg.rule_enabled("tactful.clarity.false_hope")
    assert cfg.channels["phone"].sla_minutes == 1


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[style]\nregret_wrds = 'off'\n", "unknown key 'style.regret_wrds'"),
        ("colour = 'blue'\n", "unknown key 'colour'"),
        ("[thresholds]\nmax_alternatives = 0\n", "'thresholds.max_alternatives'"),
        ("[style]\nregret_words = 'loud'\n", "'style.regret_words'"),
        ("[style\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "tactful.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_env_var_points_at_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "team.toml"
    path.write_text("[thresholds]\nmin_score = 80\n")
    monkeypatch.setenv("TACTFUL_CONFIG", str(path))
    assert load_config().thresholds.min_score == 80
