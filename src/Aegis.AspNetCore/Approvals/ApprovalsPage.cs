using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Aegis.Http;

/// <summary>
/// <c>GET /approvals</c>: one self-contained HTML page (inline CSS and script, no external assets) listing
/// paused runs with Approve and Deny buttons that call the resume endpoint with the viewer's key (kept in
/// <c>sessionStorage</c>). The rows are rendered on the server when the request itself is authenticated
/// (or auth is off); otherwise the page loads them with the key the viewer enters. Everything is HTML-encoded.
/// </summary>
internal static class ApprovalsPage
{
    private const int MaxRows = 200;

    public static async Task RenderAsync(AegisHttpRuntime runtime, HttpContext context)
    {
        var (principal, _) = await runtime.ResolvePrincipalAsync(context).ConfigureAwait(false);
        context.Response.Headers.Remove("WWW-Authenticate");
        IReadOnlyList<RunRecord>? runs = null;
        if (principal is not null)
        {
            var page = await runtime.Engine.Runs.ListAsync(new RunQuery { Status = RunStatus.Paused, Limit = MaxRows }, context.RequestAborted).ConfigureAwait(false);
            runs = page.Runs;
        }

        var html = Render(runs, runtime.Mode == AegisAuthMode.Keys);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await context.Response.WriteAsync(html, context.RequestAborted).ConfigureAwait(false);
    }

    internal static string Render(IReadOnlyList<RunRecord>? runs, bool needsKey)
    {
        var html = HtmlEncoder.Default;
        var sb = new StringBuilder(4096);
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Aegis approvals</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1b1f24;background:#fafbfc}
            h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;background:#fff}
            th,td{border:1px solid #d0d7de;padding:.45rem .6rem;text-align:left;vertical-align:top;font-size:.9rem}
            th{background:#f3f4f6}code{font-size:.8rem}button{margin-right:.3rem;padding:.3rem .7rem;cursor:pointer}
            .approve{background:#1f883d;color:#fff;border:0}.deny{background:#cf222e;color:#fff;border:0}
            #status{margin:.8rem 0;min-height:1.2rem}.key{margin-bottom:1rem}.key input{width:34rem;max-width:90%}
            </style></head><body>
            <h1>Paused runs waiting for a decision</h1>
            """);
        sb.Append("<div class=\"key\"").Append(needsKey ? string.Empty : " hidden").Append("><label>API key <input id=\"key\" type=\"password\" autocomplete=\"off\" placeholder=\"aeg-...\"></label> <button id=\"save\" type=\"button\">Use key</button></div>\n");
        sb.Append("<div id=\"status\" role=\"status\"></div>\n");
        sb.Append("<table><thead><tr><th>Run</th><th>Route</th><th>Principal</th><th>Approvers</th><th>Reason</th><th>Created</th><th>Decision</th></tr></thead><tbody id=\"rows\">\n");
        if (runs is not null)
        {
            foreach (var run in runs)
            {
                sb.Append("<tr data-run=\"").Append(html.Encode(run.Id)).Append("\"><td><code>").Append(html.Encode(run.Id)).Append("</code></td><td>")
                    .Append(html.Encode(run.Route)).Append("</td><td>")
                    .Append(html.Encode(run.PrincipalId)).Append("</td><td>")
                    .Append(html.Encode(run.Approvers.Count == 0 ? "(any)" : string.Join(", ", run.Approvers))).Append("</td><td>")
                    .Append(html.Encode(run.Reason ?? string.Empty)).Append("</td><td>")
                    .Append(html.Encode(run.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture))).Append("</td><td>")
                    .Append("<button class=\"approve\" type=\"button\" data-decision=\"approved\">Approve</button><button class=\"deny\" type=\"button\" data-decision=\"denied\">Deny</button></td></tr>\n");
            }

            if (runs.Count == 0)
            {
                sb.Append("<tr><td colspan=\"7\">No paused runs.</td></tr>\n");
            }
        }

        sb.Append("</tbody></table>\n");
        sb.Append(Script);
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    // Relative URLs: the page lives at {prefix}/approvals, so "v1/..." resolves under the same prefix.
    // Rows loaded by the script are built with textContent, never innerHTML, so nothing is interpreted as markup.
    private const string Script = """
        <script>
        (function(){
          var keyInput=document.getElementById('key'), rows=document.getElementById('rows'), statusEl=document.getElementById('status');
          var stored=sessionStorage.getItem('aegis-key')||''; keyInput.value=stored;
          function headers(){var h={'Content-Type':'application/json'}; var k=sessionStorage.getItem('aegis-key'); if(k){h['Authorization']='Bearer '+k;} return h;}
          function say(text){statusEl.textContent=text;}
          function cell(tr,text){var td=document.createElement('td'); td.textContent=text; tr.appendChild(td); return td;}
          function render(runs){
            while(rows.firstChild){rows.removeChild(rows.firstChild);}
            if(runs.length===0){var tr=document.createElement('tr'); var td=cell(tr,'No paused runs.'); td.colSpan=7; rows.appendChild(tr); return;}
            runs.forEach(function(r){
              var tr=document.createElement('tr'); tr.setAttribute('data-run',r.run_id);
              var code=document.createElement('code'); code.textContent=r.run_id; var td=document.createElement('td'); td.appendChild(code); tr.appendChild(td);
              cell(tr,r.route); cell(tr,r.principal_id); cell(tr,(r.approvers&&r.approvers.length)?r.approvers.join(', '):'(any)');
              cell(tr,r.reason||''); cell(tr,r.created_at);
              var d=cell(tr,'');
              [['approved','Approve','approve'],['denied','Deny','deny']].forEach(function(b){var btn=document.createElement('button'); btn.type='button'; btn.className=b[2]; btn.setAttribute('data-decision',b[0]); btn.textContent=b[1]; d.appendChild(btn);});
              rows.appendChild(tr);
            });
          }
          function load(){
            fetch('v1/audit?status=paused&limit=200',{headers:headers()}).then(function(res){return res.json().then(function(body){return {ok:res.ok,body:body};});})
              .then(function(r){ if(!r.ok){say(r.body.error?r.body.error.message:'Could not load runs'); return;} render(r.body.runs); })
              .catch(function(){say('Could not load runs');});
          }
          rows.addEventListener('click',function(ev){
            var btn=ev.target.closest('button[data-decision]'); if(!btn){return;}
            var runId=btn.closest('tr').getAttribute('data-run'); var decision=btn.getAttribute('data-decision');
            fetch('v1/runs/'+encodeURIComponent(runId)+'/resume',{method:'POST',headers:headers(),body:JSON.stringify({decision:decision})})
              .then(function(res){return res.json();})
              .then(function(body){ say(body.error?body.error.message:('Run '+body.run_id+' is now '+body.status)); load(); })
              .catch(function(){say('The decision could not be sent');});
          });
          document.getElementById('save').addEventListener('click',function(){sessionStorage.setItem('aegis-key',keyInput.value.trim()); load();});
          if(stored){load();}
        })();
        </script>

        """;
}
