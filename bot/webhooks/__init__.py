"""WeChat callback endpoints: /wechat/oa and /wechat/wecom."""
