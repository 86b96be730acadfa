// A stand-in for jQuery, which the tutorial's pages load but which the
// tests cannot fetch offline. It implements only what those pages call:
// $.ajax({type: 'get', url, data, dataType: 'json', success, error}).
(function () {
	function ajax(opts) {
		var query = [];
		for (var key in opts.data || {}) {
			query.push(encodeURIComponent(key) + "=" + encodeURIComponent(opts.data[key]));
		}
		var url = opts.url;
		if (query.length) {
			url += (url.indexOf("?") < 0 ? "?" : "&") + query.join("&");
		}
		var xhr = new XMLHttpRequest();
		xhr.open((opts.type || "get").toUpperCase(), url);
		xhr.onload = function () {
			if (xhr.status < 200 || xhr.status >= 300) {
				if (opts.error) opts.error(xhr);
				return;
			}
			var body = xhr.responseText;
			if (opts.dataType === "json") {
				try {
					body = JSON.parse(body);
				} catch (e) {
					if (opts.error) opts.error(xhr);
					return;
				}
			}
			if (opts.success) opts.success(body);
		};
		xhr.onerror = function () {
			if (opts.error) opts.error(xhr);
		};
		xhr.send();
	}
	window.$ = window.jQuery = { ajax: ajax };
})();
