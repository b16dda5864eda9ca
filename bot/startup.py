"""Process-wide set-up, once, before any resource opens: `siyu serve`, `siyu demo` and
`siyu worker` call `prepare_process` first (and so does the tests' app fixture).

These are settings a module keeps for the whole process, so they are set here in the open
rather than as a side effect of opening an app."""

from __future__ import annotations

import gc

import nlp
from bot.config import Settings
from crm import currency
from crm.campaigns import triggers
from crm.complaints import config as complaints_config
from crm.pipl import config as privacy_config


def prepare_process(settings: Settings) -> None:
    currency.configure(settings.crm.currency)  # every total-spent sum uses these rates
    triggers.configure(settings.crm.campaigns)  # points-earn campaigns: the configured cap
    complaints_config.configure(settings.complaints)  # categories, SLA, who is notified
    privacy_config.configure(settings.privacy)  # PIPL: consent for marketing, retention
    configure_analysis(settings.nlp)
    freeze_heap()


def configure_analysis(settings: nlp.NlpSettings) -> None:
    """The default analyser from these settings (loads jieba and the model once)."""
    if nlp.default_analyzer().settings != settings:
        nlp.configure(settings)


def freeze_heap() -> None:
    """The dictionaries and model weights just loaded live as long as the process: keep the
    garbage collector from walking them on every full pass (those passes showed up as tens
    of milliseconds in the webhook's p99)."""
    gc.collect()
    gc.freeze()
