// The actions panel of a dispute's page (represent, accept loss, appeal).
// Owned by the dispute actions work; the page renders it with the dispute.
export function DisputeActions(_props: { disputeId: string; actions: string[] }) {
  return null;
}
