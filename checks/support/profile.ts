// The Countly build profile as checks read it (countly/profile.ts): from the buildSignals
// and changeStreams facts, so every check judges by the same profile the run prints.
import { consumersOf, detectProfile, type CountlyProfile } from "../../countly/profile.ts";
import type { AppFacts } from "../types.ts";

export const PROFILE_FACTS = [{ fact: "buildSignals" as const }, { fact: "changeStreams" as const }];

export function profileOf(facts: AppFacts): CountlyProfile {
  return detectProfile(facts.get("buildSignals"), consumersOf(facts.get("changeStreams")));
}
