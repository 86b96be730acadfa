// The reply box's byte count (static/byte-counter.js), shared by the
// widget's and the console's dictionaries. The server counts bytes of
// UTF-8; the count says bytes and how many Chinese characters fit, since
// "characters" would be wrong for any mix of scripts.
export default {
  zh: {
    'compose.bytes': '已用 {used} / {max} 字节（每个汉字占 3 字节）',
    'compose.tooLong': '消息太长，无法发送：超出 {over} 字节（上限 {max} 字节，约 {hanzi} 个汉字）。请删减后再发送，内容会保留在输入框中。',
  },
  en: {
    'compose.bytes': '{used} / {max} bytes used (a Chinese character takes 3)',
    'compose.tooLong': 'Too long to send: {over} bytes over the limit of {max} (about {hanzi} Chinese characters). Shorten it to send; your text stays in the box.',
  },
};
