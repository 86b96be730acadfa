// How the console gets an agent's attention: the count of conversations
// that need it in the tab's title, and, if the agent turned it on, a short
// tone made with WebAudio (no sound file to fetch) when a customer is
// given to them. The choice is kept in localStorage; it starts off.

import { t } from './i18n.js';

const SOUND_KEY = 'kefu.agent.sound';

export class Alerts {
  // key is where the choice is kept: the widget keeps its own.
  constructor(local, key = SOUND_KEY) {
    this.local = local;
    this.key = key;
    this.audio = null;
    this.count = 0;
    this.sound = local?.getItem(key) === 'on';
  }

  // setSound is called from the checkbox's click: a user gesture, which
  // browsers require before a page may play sound.
  setSound(on) {
    this.sound = on;
    try {
      this.local?.setItem(this.key, on ? 'on' : 'off');
    } catch { /* the choice lasts until a reload */ }
    if (on) this.context()?.resume();
  }

  // title shows count in the tab's title, "(2) kefu agent console".
  title(count = this.count) {
    this.count = count;
    document.title = count > 0 ? `(${count}) ${t('title')}` : t('title');
  }

  // chime plays two short tones, if the agent wants sound.
  chime() {
    const ctx = this.sound && this.context();
    if (!ctx) return;
    if (ctx.state === 'suspended') ctx.resume();
    const start = ctx.currentTime;
    [880, 1320].forEach((hz, i) => {
      const at = start + i * 0.16;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.15);
    });
  }

  context() {
    if (!this.audio && typeof AudioContext === 'function') this.audio = new AudioContext();
    return this.audio;
  }
}
