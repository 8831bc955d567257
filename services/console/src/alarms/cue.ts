/** The sound of a priority-1 alarm: three short high tones, made in the browser (no media file). */
export class AlarmCue {
  private context: AudioContext | null = null;

  /** Arms the sound; must run from a user gesture (browsers block audio before one). */
  async enable(): Promise<void> {
    const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Context) return;
    this.context ??= new Context();
    await this.context.resume();
  }

  disable(): void {
    void this.context?.close();
    this.context = null;
  }

  get enabled(): boolean {
    return this.context !== null;
  }

  play(): void {
    const context = this.context;
    if (!context) return;
    for (let i = 0; i < 3; i++) {
      const start = context.currentTime + i * 0.35;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "square";
      oscillator.frequency.value = 1200;
      gain.gain.setValueAtTime(0.2, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.25);
    }
  }
}
