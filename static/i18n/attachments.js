// Attachments' words (static/attachments.js), shared by the widget's and
// the console's dictionaries.
export default {
  zh: {
    'file.button': '文件',
    'file.attach': '发送文件或图片',
    'file.uploading': '正在上传 {name}……',
    'file.refused': '{name} 没有发送：{why}',
    'file.tooLarge': '{name} 没有发送：文件太大，最大 {max}。',
    'file.failed': '无法下载这个文件，请稍后再试。',
  },
  en: {
    'file.button': 'File',
    'file.attach': 'Send a file or picture',
    'file.uploading': 'Uploading {name}…',
    'file.refused': '{name} was not sent: {why}',
    'file.tooLarge': '{name} was not sent: files are at most {max}.',
    'file.failed': 'The file could not be downloaded. Try again later.',
  },
};
