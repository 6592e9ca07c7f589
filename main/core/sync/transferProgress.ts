// The packet being sent right now, as the transport reports its steps (PacketClient onStep): which
// packet, and how many bytes the agency server holds of it after each part of a resumable upload. In
// memory only, for the sync panel's progress bar; cleared when the packet is through or the round ends.
import type { PacketStep } from './packets/PacketClient';

export class TransferProgress {
  private now: { packetId: string; sent: number } | null = null;

  /** PacketClientOptions.onStep. */
  readonly onStep = (step: PacketStep, d: { packetId?: string; offset?: number }): void => {
    if (step === 'packet-sending' && d.packetId) this.now = { packetId: d.packetId, sent: 0 };
    else if ((step === 'packet-upload-resumed' || step === 'packet-chunk-sent') && this.now && d.packetId === this.now.packetId) this.now.sent = d.offset ?? this.now.sent;
    else if ((step === 'packet-sent' || step === 'packet-cleared') && this.now?.packetId === d.packetId) this.now = null;
  };

  current(): { packetId: string; sent: number } | null {
    return this.now ? { ...this.now } : null;
  }

  clear(): void {
    this.now = null;
  }
}
