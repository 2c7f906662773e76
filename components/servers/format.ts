export { formatBytes } from "@/lib/policy/quantity";
export { idlePolicyText, idleStopText, relativeTime, timeLeft } from "@/lib/format/time";
