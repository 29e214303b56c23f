"""The words a generated forum is written in: a few thousand English words ranked by how often
Wikipedia uses them (zxcvbn's frequency list, already installed), tech terms woven in among
them, and a few hundred tags — each tag with the words its questions tend to use.

Everything is drawn with a Zipf-like law (rank r has weight 1 / (r + 2) ** 1.05), so a few
words and tags are everywhere and most are rare, as in a real forum.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from dataclasses import dataclass, field

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.demo.forum_data import TOPICS

ENGLISH_WORDS = 3000
TAG_COUNT = 300
WORDS_PER_TAG = 12
ZIPF_S = 1.05

_TECH_TEXT = """
python pandas numpy django flask fastapi pytest asyncio typescript javascript react vue
angular node npm webpack vite css html sass tailwind java kotlin spring maven gradle scala
rust cargo golang goroutine haskell elixir erlang ruby rails php laravel swift xcode android
gradle jvm kubernetes docker helm terraform ansible jenkins gitlab github bitbucket grafana
prometheus kibana elasticsearch logstash kafka rabbitmq redis memcached postgresql mysql
sqlite mongodb cassandra dynamodb snowflake bigquery airflow dbt spark hadoop hive presto
tableau looker excel powerbi figma sketch jira confluence slack notion okta oauth saml jwt
ldap ssh tls ssl nginx apache haproxy envoy istio linkerd lambda serverless cloudflare aws
azure gcp ec2 s3 iam vpc subnet dns cdn http grpc graphql rest websocket json yaml xml csv
parquet avro protobuf regex unicode utf8 latency throughput cache index query schema
migration orm transaction deadlock mutex thread coroutine async callback promise closure
decorator generator iterator lambda recursion pointer heap stack queue hashmap btree
webhook cron daemon container pod namespace ingress volume secret configmap sidecar proxy
loadbalancer autoscaling replica shard partition backup snapshot rollback deployment
pipeline linter formatter debugger profiler benchmark refactor monorepo microservice api
sdk cli ide vscode vim emacs bash zsh powershell linux ubuntu debian macos windows wsl
firewall vpn sso mfa rbac gdpr audit compliance okr roadmap backlog sprint kanban scrum
retro standup onboarding mentoring feedback interview hiring accessibility wcag ux
"""
TECH_TERMS = tuple(dict.fromkeys(_TECH_TEXT.split()))
TAG_SUFFIXES = ("performance", "testing", "security", "migration", "deployment", "config",
                "errors", "api", "setup", "best-practices")


def _zipf_cum_weights(count: int, offset: float = 2.0) -> list[float]:
    return list(itertools.accumulate(1 / (rank + offset) ** ZIPF_S for rank in range(count)))


@dataclass
class Vocabulary:
    """Ranked words and tags, and fast Zipf draws from them."""

    words: list[str]
    tags: list[str]
    tag_words: dict[str, list[str]]
    content_words: list[str] = field(default_factory=list)  # ranks past the function words
    _word_cum: list[float] = field(default_factory=list, repr=False)
    _content_cum: list[float] = field(default_factory=list, repr=False)
    _tag_cum: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._word_cum = _zipf_cum_weights(len(self.words))
        self._content_cum = _zipf_cum_weights(len(self.content_words), offset=20.0)
        self._tag_cum = _zipf_cum_weights(len(self.tags))

    def words_like_text(self, rng: random.Random, k: int) -> list[str]:
        """`k` words with the frequencies of running text (function words included)."""
        return rng.choices(self.words, cum_weights=self._word_cum, k=k)

    def content_word(self, rng: random.Random) -> str:
        """A word someone would type into a search box: no function words."""
        return self.content_words[bisect(self._content_cum, rng.random() * self._content_cum[-1])]

    def tags_for_question(self, rng: random.Random, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < count:
            tag = rng.choices(self.tags, cum_weights=self._tag_cum)[0]
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    def tag(self, rng: random.Random) -> str:
        return rng.choices(self.tags, cum_weights=self._tag_cum)[0]


def _demo_terms() -> list[str]:
    """Single words from the demo forum's tags and "things" (sql, pivot, helm, …)."""
    terms: list[str] = []
    for spec in TOPICS.values():
        for phrase in (*spec["tags"], *spec["things"]):
            terms += [w.lower() for w in phrase.replace("-", " ").split()
                      if w.isalpha() and len(w) > 2]
    return terms


def build_vocabulary(seed: int) -> Vocabulary:
    rng = random.Random(f"vocabulary-{seed}")
    english = [w for w in FREQUENCY_LISTS["english_wikipedia"] if w.isalpha() and len(w) > 1]
    english = english[:ENGLISH_WORDS]
    tech = list(dict.fromkeys([*TECH_TERMS, *_demo_terms()]))
    tech = [t for t in tech if t not in set(english)]
    # Weave the tech terms in among the English words from rank 60 on: each is about as
    # common as a mid-frequency English word, the way "docker" is on an engineering forum.
    words = english[:60]
    rest = english[60:]
    step = max(1, len(rest) // len(tech))
    for i, term in enumerate(tech):
        words += rest[i * step:(i + 1) * step] + [term]
    words += rest[len(tech) * step:]
    content = [w for w in words[120:] if len(w) > 2]

    tags = [t for t in tech if len(t) > 1][:TAG_COUNT - 40] + ["c++", "c#", "machine-learning",
                                                               "data-engineering"]
    for suffix, term in itertools.product(TAG_SUFFIXES, tech):
        if len(tags) >= TAG_COUNT:
            break
        tags.append(f"{term}-{suffix}")
    rng.shuffle(tags)  # which tags are popular is part of the seed
    tag_words = {}
    for tag in tags:
        own = [w for w in tag.replace("-", " ").split() if w.isalpha()]
        tag_words[tag] = own + rng.sample(content, WORDS_PER_TAG - 3) + rng.sample(tech, 3)
    return Vocabulary(words=words, tags=tags, tag_words=tag_words, content_words=content)
