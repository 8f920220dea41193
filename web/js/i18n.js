// Chinese first, English available: texts by key, the chosen language kept in localStorage.
'use strict';
window.LecternI18n = (() => {
  const texts = {
    console: ['编辑台', 'Editor console'],
    other_lang: ['English', '中文'],
    logout: ['退出', 'Sign out'],
    login_title: ['编辑登录', 'Editor sign-in'],
    token: ['凭证', 'Credential'],
    token_hint: ['粘贴编辑凭证 lct1.…', 'Paste an editor credential lct1.…'],
    login: ['登录', 'Sign in'],
    tab_lives: ['直播', 'Lives'],
    tab_upload: ['上传课程', 'Upload'],
    tab_videos: ['视频', 'Videos'],
    tab_columns: ['专题专栏', 'Columns'],
    schedule_live: ['预约直播', 'Schedule a live'],
    title: ['标题', 'Title'],
    presenter: ['主讲人', 'Presenter'],
    kind: ['主讲人类型', 'Presenter kind'],
    starts: ['开始时间', 'Starts'],
    visibility: ['可见性', 'Visibility'],
    schedule: ['预约', 'Schedule'],
    push_settings: ['推流设置（OBS / ffmpeg）', 'Streaming settings (OBS / ffmpeg)'],
    key_once: ['推流码只显示这一次，请立即复制保存。', 'The stream key is shown only this once: copy it now.'],
    rtmp_server: ['服务器', 'Server'],
    stream_key: ['推流码', 'Stream key'],
    rtmp_url: ['完整地址', 'Full URL'],
    copy: ['复制', 'Copy'],
    copied: ['已复制', 'Copied'],
    on_air: ['正在直播', 'On air'],
    upcoming: ['即将开始', 'Upcoming'],
    none: ['暂无', 'None'],
    upload_title: ['上传录播课程', 'Upload a recorded lesson'],
    file: ['文件', 'File'],
    upload: ['上传', 'Upload'],
    uploading: ['上传', 'Upload'],
    transcoding: ['转码', 'Transcode'],
    edit_it: ['编辑这个视频', 'Edit this video'],
    search_hint: ['搜索标题、主讲人、标签', 'Search titles, presenters, tags'],
    search: ['搜索', 'Search'],
    category: ['分类', 'Category'],
    no_category: ['（无）', '(none)'],
    tags: ['标签（逗号分隔）', 'Tags (comma-separated)'],
    description: ['简介', 'Description'],
    publish_at: ['定时发布', 'Publish at'],
    chapters: ['章节', 'Chapters'],
    chapter_add: ['添加章节', 'Add a chapter'],
    chapter_start: ['开始（分:秒）', 'Start (m:ss)'],
    chapter_title: ['章节标题', 'Chapter title'],
    remove: ['移除', 'Remove'],
    save: ['保存', 'Save'],
    saved: ['已保存', 'Saved'],
    new_column: ['新建专栏', 'New column'],
    slug: ['网址名（a-z 0-9 -）', 'Slug (a-z 0-9 -)'],
    create: ['创建', 'Create'],
    publish_from: ['发布开始', 'Published from'],
    publish_until: ['发布结束', 'Published until'],
    archived: ['已归档', 'Archived'],
    items: ['专栏内容（按顺序）', 'Items (in order)'],
    add_to_column: ['加入专栏', 'Add to column'],
    up: ['上移', 'Up'],
    down: ['下移', 'Down'],
    feature: ['推荐', 'Feature'],
    featured: ['已推荐', 'Featured'],
    not_editor: ['这个凭证没有编辑权限。', 'This credential has no editor role.'],
    bad_token: ['凭证无效。', 'The credential is not valid.'],
    'kind.model-worker': ['劳模工匠', 'Model worker'],
    'kind.volunteer': ['志愿者', 'Volunteer'],
    'kind.teacher': ['教师', 'Teacher'],
    'kind.other': ['其他', 'Other'],
    'vis.draft': ['草稿', 'Draft'],
    'vis.published': ['已发布', 'Published'],
    'vis.unlisted': ['仅链接可见', 'Unlisted'],
    'state.scheduled': ['待开始', 'Scheduled'],
    'state.live': ['直播中', 'Live'],
    'state.processing': ['处理中', 'Processing'],
    'state.ready': ['可观看', 'Ready'],
    'state.failed': ['失败', 'Failed'],
    'job.queued': ['排队中', 'Queued'],
    'job.running': ['转码中', 'Running'],
    'job.done': ['完成', 'Done'],
    'job.failed': ['失败', 'Failed'],
    'job.cancelled': ['已取消', 'Cancelled'],
  };
  let lang = localStorage.getItem('lectern.lang') === 'en' ? 1 : 0;

  function t(key) {
    const e = texts[key];
    return e ? e[lang] : key;
  }

  // Fills every [data-i18n] element's text and [data-i18n-placeholder] placeholder.
  function apply(root = document) {
    document.documentElement.lang = lang ? 'en' : 'zh-CN';
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    });
  }

  function toggle() {
    lang = 1 - lang;
    localStorage.setItem('lectern.lang', lang ? 'en' : 'zh');
    apply();
  }

  return { t, apply, toggle, get lang() { return lang ? 'en' : 'zh'; } };
})();
