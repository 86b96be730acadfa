// The saved replies' editor (static/canned-editor.js), shared by the
// console's and the supervisor view's dictionaries.
export default {
  zh: {
    'cannedEd.title': '快捷回复',
    'cannedEd.open': '管理快捷回复',
    'cannedEd.shortcut': '快捷词',
    'cannedEd.text': '回复内容（顾客名和客服名的占位符会自动填入）',
    'cannedEd.add': '添加',
    'cannedEd.save': '保存',
    'cannedEd.edit': '修改',
    'cannedEd.delete': '删除',
    'cannedEd.cancel': '取消',
    'cannedEd.shared': '全员共用',
    'cannedEd.mine': '我的',
    'cannedEd.none': '还没有快捷回复。',
    'cannedEd.failed': '没有保存：{message}',
  },
  en: {
    'cannedEd.title': 'Saved replies',
    'cannedEd.open': 'Manage saved replies',
    'cannedEd.shortcut': 'Shortcut',
    'cannedEd.text': 'Reply (the customer and agent name placeholders are filled in)',
    'cannedEd.add': 'Add',
    'cannedEd.save': 'Save',
    'cannedEd.edit': 'Edit',
    'cannedEd.delete': 'Delete',
    'cannedEd.cancel': 'Cancel',
    'cannedEd.shared': 'shared',
    'cannedEd.mine': 'mine',
    'cannedEd.none': 'No saved replies yet.',
    'cannedEd.failed': 'Not saved: {message}',
  },
};
