// The Countly build profile as checks read it (countly/profile.ts): from the buildSignals
// and changeStreams facts, so every check judges by the same profile the run prints.
import { consumersOf, detectProfile, type CountlyProfile } from "../../countly/profile.ts";
import type { AppFacts } from "../types.ts";

export const PROFILE_FACTS = [{ fact: "buildSignals" as const }, { fact: "changeStreams" as const }];

/** Profiles detected, by buildSignals value and consumers: one per run, not one per (check, app) case (detecting copies per-app maps). */
const detected = new WeakMap<object, Map<string, CountlyProfile>>();

/** The profile (shared by the cases that read the same facts: read it, never change it). */
export function profileOf(facts: AppFacts): CountlyProfile {
  const signals = facts.get("buildSignals");
  const consumers = consumersOf(facts.get("changeStreams"));
  let byConsumers = detected.get(signals);
  if (byConsumers === undefined) detected.set(signals, (byConsumers = new Map()));
  const key = JSON.stringify(consumers);
  let profile = byConsumers.get(key);
  if (profile === undefined) byConsumers.set(key, (profile = detectProfile(signals, consumers)));
  return profile;
}
