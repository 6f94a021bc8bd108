<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
    <context>
        <name>CallPage</name>
        <message>
            <source>Caller&apos;s &amp;phone</source>
            <translation>&amp;تلفن تماس‌گیرنده</translation>
        </message>
        <message>
            <source>Pro&amp;blem *</source>
            <translation>&amp;موضوع *</translation>
        </message>
        <message>
            <source>P&amp;lace *</source>
            <translation>م&amp;حله *</translation>
        </message>
        <message>
            <source>&amp;Address</source>
            <translation>&amp;نشانی</translation>
        </message>
        <message>
            <source>What the caller &amp;says *</source>
            <translation>&amp;گفتهٔ تماس‌گیرنده *</translation>
        </message>
        <message>
            <source>Caller&apos;s &amp;name</source>
            <translation>نا&amp;م تماس‌گیرنده</translation>
        </message>
        <message>
            <source>C&amp;hannel</source>
            <translation>&amp;روش تماس</translation>
        </message>
        <message>
            <source>New call</source>
            <translation>تماس تازه</translation>
        </message>
        <message>
            <source>09121234567</source>
            <translation>۰۹۱۲۱۲۳۴۵۶۷</translation>
        </message>
        <message>
            <source>A few letters of the category</source>
            <translation>چند حرف از نام موضوع</translation>
        </message>
        <message>
            <source>A few letters of the neighbourhood</source>
            <translation>چند حرف از نام محله</translation>
        </message>
        <message>
            <source>Street, alley, plate, landmark</source>
            <translation>خیابان، کوچه، پلاک، نشانه</translation>
        </message>
        <message>
            <source>In the caller&apos;s words</source>
            <translation>به زبان خود تماس‌گیرنده</translation>
        </message>
        <message>
            <source>Phone 137</source>
            <translation>تلفن ۱۳۷</translation>
        </message>
        <message>
            <source>Website</source>
            <translation>پایگاه اینترنتی</translation>
        </message>
        <message>
            <source>SMS</source>
            <translation>پیامک</translation>
        </message>
        <message>
            <source>Register (Enter)</source>
            <translation>ثبت (Enter)</translation>
        </message>
        <message>
            <source>Caller&apos;s earlier requests</source>
            <translation>درخواست‌های پیشین این تماس‌گیرنده</translation>
        </message>
        <message>
            <source>Possible d&amp;uplicates (open, same problem and place)</source>
            <translation>درخواست‌های ت&amp;کراری احتمالی (باز، همین موضوع و محل)</translation>
        </message>
        <message>
            <source>Attach the call to this request (Ctrl+D)</source>
            <translation>پیوست تماس به همین درخواست (Ctrl+D)</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>کد</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>تاریخ ثبت</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>وضعیت</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>Address and report</source>
            <translation>نشانی و گزارش</translation>
        </message>
        <message>
            <source>No earlier requests from this number.</source>
            <translation>از این شماره درخواستی پیش‌تر ثبت نشده است.</translation>
        </message>
        <message>
            <source>Type the caller&apos;s number to see their earlier requests.</source>
            <translation>با نوشتن شمارهٔ تماس‌گیرنده، درخواست‌های پیشین او اینجا می‌آید.</translation>
        </message>
        <message>
            <source>None: no open request of this problem here lately.</source>
            <translation>هیچ: درخواست بازی با همین موضوع در این محل در روزهای اخیر نیست.</translation>
        </message>
        <message>
            <source>Shown once the problem and the place are chosen.</source>
            <translation>پس از انتخاب موضوع و محله نشان داده می‌شود.</translation>
        </message>
        <message>
            <source>The call is registered. Read the caller this tracking code:</source>
            <translation>تماس ثبت شد. این کد رهگیری را برای تماس‌گیرنده بخوانید:</translation>
        </message>
        <message>
            <source>%1 in %2. It waits in the verification queue.</source>
            <translation>%1 در %2. در صف بررسی منتظر است.</translation>
        </message>
        <message>
            <source>The call is attached to an open request. Read the caller its tracking code:</source>
            <translation>تماس به درخواست بازِ موجود پیوست شد. کد رهگیری آن را برای تماس‌گیرنده بخوانید:</translation>
        </message>
        <message>
            <source>No new request was made: the request&apos;s history notes that the caller called again.</source>
            <translation>درخواست تازه‌ای ساخته نشد: در سابقهٔ درخواست ثبت شد که شهروند دوباره تماس گرفته است.</translation>
        </message>
    </context>
    <context>
        <name>CentreHistory</name>
        <message>
            <source>Referred to %1</source>
            <translation>ارجاع به %1</translation>
        </message>
        <message>
            <source>Deadline: %1</source>
            <translation>مهلت: %1</translation>
        </message>
        <message>
            <source>The centre asked the citizen for more</source>
            <translation>مرکز از شهروند توضیح بیشتر خواست</translation>
        </message>
        <message>
            <source>From %1 to %2</source>
            <translation>از %1 به %2</translation>
        </message>
        <message>
            <source>The citizen called again</source>
            <translation>شهروند دوباره تماس گرفت</translation>
        </message>
    </context>
    <context>
        <name>CentreRequestTable</name>
        <message>
            <source>Overdue — past the deadline set at referral.</source>
            <translation>معوق — از مهلتی که هنگام ارجاع تعیین شد گذشته است.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Take a call</source>
            <translation>ثبت تماس</translation>
        </message>
        <message>
            <source>Verification queue</source>
            <translation>صف بررسی</translation>
        </message>
        <message>
            <source>Overdue everywhere</source>
            <translation>معوقه‌های همهٔ ناحیه‌ها</translation>
        </message>
        <message>
            <source>Every district&apos;s overdue work</source>
            <translation>کارهای معوق همهٔ ناحیه‌ها</translation>
        </message>
        <message>
            <source>137 &amp;centre</source>
            <translation>&amp;مرکز ۱۳۷</translation>
        </message>
        <message>
            <source>Take a &amp;call</source>
            <translation>&amp;ثبت تماس</translation>
        </message>
        <message>
            <source>&amp;Verification queue</source>
            <translation>&amp;صف بررسی</translation>
        </message>
        <message>
            <source>Overdue &amp;everywhere</source>
            <translation>معوقه‌های &amp;همهٔ ناحیه‌ها</translation>
        </message>
    </context>
    <context>
        <name>MoveDistrictDialog</name>
        <message>
            <source>Move to another district</source>
            <translation>انتقال به ناحیهٔ دیگر</translation>
        </message>
        <message>
            <source>Request %1 goes to another district&apos;s offices with its whole history. Say why: the new district reads it.</source>
            <translation>درخواست %1 با همهٔ سابقه‌اش به دفترهای ناحیهٔ دیگر می‌رود. دلیل را بنویسید: ناحیهٔ تازه آن را می‌خواند.</translation>
        </message>
        <message>
            <source>&amp;District</source>
            <translation>&amp;ناحیه</translation>
        </message>
        <message>
            <source>&amp;Neighbourhood</source>
            <translation>&amp;محله</translation>
        </message>
        <message>
            <source>&amp;Why</source>
            <translation>&amp;دلیل</translation>
        </message>
        <message>
            <source>Move</source>
            <translation>انتقال</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>انصراف</translation>
        </message>
        <message>
            <source>(not known)</source>
            <translation>(نامعلوم)</translation>
        </message>
    </context>
    <context>
        <name>OverdueModel</name>
        <message>
            <source>Late by</source>
            <translation>تأخیر</translation>
        </message>
        <message>
            <source>Tracking code</source>
            <translation>کد رهگیری</translation>
        </message>
        <message>
            <source>District</source>
            <translation>ناحیه</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>محله</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>وضعیت</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>مهلت</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>تاریخ ثبت</translation>
        </message>
        <message>
            <source>%1 days</source>
            <translation>%1 روز</translation>
        </message>
        <message>
            <source>%1 h</source>
            <translation>%1 ساعت</translation>
        </message>
    </context>
    <context>
        <name>OverduePage</name>
        <message>
            <source>Overdue share by district</source>
            <translation>سهم معوقه در هر ناحیه</translation>
        </message>
        <message>
            <source>District</source>
            <translation>ناحیه</translation>
        </message>
        <message>
            <source>Share</source>
            <translation>سهم</translation>
        </message>
        <message>
            <source>Overdue of open</source>
            <translation>معوق از باز</translation>
        </message>
        <message>
            <source>Reading every district&apos;s overdue work…</source>
            <translation>در حال خواندن کارهای معوق همهٔ ناحیه‌ها…</translation>
        </message>
        <message>
            <source>%1 open requests are past their deadline, in every district; the latest first.</source>
            <translation>%1 درخواست باز در همهٔ ناحیه‌ها از مهلت خود گذشته‌اند؛ دیرترین در بالا.</translation>
        </message>
        <message>
            <source>%1 of %2</source>
            <translation>%1 از %2</translation>
        </message>
    </context>
    <context>
        <name>QueueModel</name>
        <message>
            <source>Tracking code</source>
            <translation>کد رهگیری</translation>
        </message>
        <message>
            <source>Waiting</source>
            <translation>انتظار</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>تاریخ ثبت</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>روش تماس</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>موضوع</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>محله</translation>
        </message>
        <message>
            <source>Suggested district</source>
            <translation>ناحیهٔ پیشنهادی</translation>
        </message>
        <message>
            <source>Report</source>
            <translation>گزارش</translation>
        </message>
        <message>
            <source>%1 min</source>
            <translation>%1 دقیقه</translation>
        </message>
        <message>
            <source>%1 h %2 min</source>
            <translation>%1 ساعت و %2 دقیقه</translation>
        </message>
        <message>
            <source>%1 days</source>
            <translation>%1 روز</translation>
        </message>
    </context>
    <context>
        <name>QueuePageWidget</name>
        <message>
            <source>Refer to a district</source>
            <translation>ارجاع به ناحیه</translation>
        </message>
        <message>
            <source>&amp;District</source>
            <translation>&amp;ناحیه</translation>
        </message>
        <message>
            <source>D&amp;eadline</source>
            <translation>م&amp;هلت</translation>
        </message>
        <message>
            <source>&amp;Refer (Ctrl+Enter)</source>
            <translation>&amp;ارجاع (Ctrl+Enter)</translation>
        </message>
        <message>
            <source>Close as not actionable</source>
            <translation>بستن به‌عنوان قابل انجام نیست</translation>
        </message>
        <message>
            <source>Rea&amp;son</source>
            <translation>&amp;علت</translation>
        </message>
        <message>
            <source>&amp;Original&apos;s code</source>
            <translation>کد درخواست ا&amp;صلی</translation>
        </message>
        <message>
            <source>&amp;Note</source>
            <translation>&amp;یادداشت</translation>
        </message>
        <message>
            <source>Tracking code of the original request</source>
            <translation>کد رهگیری درخواست اصلی</translation>
        </message>
        <message>
            <source>&amp;Close the request</source>
            <translation>&amp;بستن درخواست</translation>
        </message>
        <message>
            <source>Ask the citizen for more</source>
            <translation>درخواست توضیح از شهروند</translation>
        </message>
        <message>
            <source>What is missing (it stays in the queue)</source>
            <translation>چه چیزی کم است (درخواست در صف می‌ماند)</translation>
        </message>
        <message>
            <source>Record the &amp;question</source>
            <translation>ثبت &amp;پرسش</translation>
        </message>
        <message>
            <source>Reading the queue…</source>
            <translation>در حال خواندن صف…</translation>
        </message>
        <message>
            <source>%1 requests wait for verification, oldest first.</source>
            <translation>%1 درخواست در انتظار بررسی است؛ قدیمی‌ترین در بالا.</translation>
        </message>
        <message>
            <source>The oldest %1 are shown.</source>
            <translation>%1 مورد قدیمی‌تر نشان داده شده است.</translation>
        </message>
        <message>
            <source>Refer the %1 selected, each to its suggested district (Ctrl+Shift+Enter)</source>
            <translation>ارجاع %1 درخواست برگزیده، هر کدام به ناحیهٔ پیشنهادی خود (Ctrl+Shift+Enter)</translation>
        </message>
        <message>
            <source>The queue is empty.</source>
            <translation>صف خالی است.</translation>
        </message>
        <message>
            <source>Request %1: %2</source>
            <translation>درخواست %1: %2</translation>
        </message>
    </context>
</TS>
