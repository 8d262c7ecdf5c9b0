import { useEffect, useState } from "react";

/** The current time in epoch seconds, re-read every `ms` while `active` (for live durations). */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now() / 1000), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return active ? now : Date.now() / 1000;
}
