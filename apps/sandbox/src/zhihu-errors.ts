// Zhihu's error bodies as the sandbox answers them. Codes and texts with a public source are
// listed in docs/zhihu.md; the rest are the sandbox's own, marked there as unsourced.

export const MAX_TITLE_CHARS = 100;
export const MAX_TOPICS = 3;

export const ERR = {
  loginExpired: { code: 100, name: 'AuthenticationInvalidRequest', message: '请求参数异常，请升级客户端后重试。' },
  captcha: { code: 40352, name: 'ERR_NEED_CAPTCHA', message: '系统监测到您的网络环境存在异常，为保证您的正常访问，请输入验证码进行验证。' },
  risk: {
    code: 40362,
    name: 'ERR_RISK_CONTROL',
    message: '您当前请求存在异常，暂时限制本次访问。如有疑问，您可以通过手机摇一摇或登录后私信知乎小管家反馈。',
  },
  phone: { code: 4031, name: 'ERR_PHONE_BINDING', message: '根据国家法律法规要求，发布内容前需要绑定手机号。' },
  topicRequired: { code: 10002, message: '请至少添加一个话题' },
  toast: { code: 10001, message: '发布失败，请稍后重试' },
  titleTooLong: { code: 10001, message: `标题最多 ${MAX_TITLE_CHARS} 个字` },
  titleEmpty: { code: 10001, message: '请输入标题' },
  contentEmpty: { code: 10001, message: '请输入正文' },
  tooManyTopics: { code: 10004, message: `最多添加 ${MAX_TOPICS} 个话题` },
  unknownTopic: { code: 10003, message: '话题不存在' },
  unknownColumn: { code: 10005, message: '专栏不存在或你没有向该专栏投稿的权限' },
  xsrf: { code: 10003, name: 'ERR_XSRF', message: '请求参数异常，请升级客户端后重试。' },
  imageUpload: { code: 10010, message: '图片上传失败，请稍后重试' },
  ossSignature: { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' },
  notFound: { code: 404, name: 'NotFoundError', message: '你似乎来到了没有知识存在的荒原' },
  forbidden: { code: 403, name: 'ForbiddenError', message: '你没有权限进行此操作' },
} as const;
