"""Locust users for bench/cluster.sh: 90% reads (an officer's plan, a prison leaver's own plan),
10% writes (an officer updates a checklist item). Tokens come from CLUSTER_TOKENS (a JSON file
bench/cluster.sh writes). Run by bench/cluster.sh, not on its own."""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, task

with open(os.environ["CLUSTER_TOKENS"]) as source:
    DATA = json.load(source)
PLANS: list[list] = DATA["plans"]  # [plan id, officer token, leaver token]
OFFICER_OF = {plan_id: officer for plan_id, officer, _ in PLANS}


class Caseload(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        # Plan id -> (version, a checklist key), learnt from this user's own reads.
        self.seen: dict[int, tuple[int, str]] = {}

    @task(45)
    def officer_reads_a_plan(self) -> None:
        plan_id, officer, _ = random.choice(PLANS)
        with self.client.get(
            f"/api/v1/plans/{plan_id}",
            headers={"Authorization": f"Bearer {officer}"},
            name="GET /api/v1/plans/{id}",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                body = response.json()
                if body["checklist"]:
                    self.seen[plan_id] = (body["version"], body["checklist"][0]["key"])

    @task(45)
    def leaver_reads_their_plan(self) -> None:
        _, _, leaver = random.choice(PLANS)
        self.client.get(
            "/api/v1/me/plan",
            headers={"Authorization": f"Bearer {leaver}"},
            name="GET /api/v1/me/plan",
        )

    @task(10)
    def officer_updates_a_checklist_item(self) -> None:
        if not self.seen:
            return self.officer_reads_a_plan()
        plan_id = random.choice(list(self.seen))
        version, key = self.seen.pop(plan_id)
        officer = OFFICER_OF[plan_id]
        with self.client.patch(
            f"/api/v1/plans/{plan_id}/checklist/{key}",
            json={"status": "in_progress", "note": "Load test", "expected_version": version},
            headers={"Authorization": f"Bearer {officer}"},
            name="PATCH /api/v1/plans/{id}/checklist/{key}",
            catch_response=True,
        ) as response:
            # Another user wrote the plan since this one read it: a correct answer, not an error.
            if response.status_code == 409:
                response.success()
